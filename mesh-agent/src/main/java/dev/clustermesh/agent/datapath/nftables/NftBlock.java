package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.nftables.NftObjects.Chain;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Element;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Field;
import dev.clustermesh.agent.datapath.nftables.NftObjects.NftObject;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Rule;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Set;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Table;
import dev.clustermesh.agent.datapath.nftables.NftTransaction.Op;
import dev.clustermesh.agent.datapath.nftables.NftTransaction.Verb;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a valid {@link NftTransaction} as nft input; the one place that knows nft's syntax. Two forms, the same
 * meaning (nft's table block only ever adds):
 * <ul>
 * <li>{@link #file}, for {@code nft -f}: commands one per line, except that an {@code add table} followed by
 * additions of sets, chains, and of rules and elements in those becomes one {@code table ... { }} block with each
 * set's elements and each chain's rules inside it. That is how a full sync is written: nft 1.0.6 loads a table
 * of 110,000 elements measurably faster as one block than as separate commands.
 * <li>{@link #line}, for {@code nft -i}: every operation a command, joined by {@code ;} on one line, which nft's
 * interactive mode runs as one batch.
 * </ul>
 * Consecutive element operations of one verb on one set become one command. Elements are written with
 * {@link NftText#boundary()} between them, so that a streamed render reaches nft in pieces.
 */
final class NftBlock {
    private NftBlock() {
    }

    /** Writes {@code tx} for {@code nft -f}; throws as {@link NftTransaction#ops()} does. */
    static void file(NftTransaction tx, NftText out) {
        List<Op> ops = tx.ops();
        String prefix = prefix(tx.table());
        for (int i = 0; i < ops.size();) {
            int end = blockEnd(ops, i);
            if (end > i + 1) {
                block(tx.table(), ops.subList(i + 1, end), out);
                i = end;
            } else {
                i = command(ops, i, prefix, "\n", out);
            }
        }
    }

    /** {@code tx} on one line for {@code nft -i}; throws as {@link NftTransaction#ops()} does. */
    static String line(NftTransaction tx) {
        List<Op> ops = tx.ops();
        NftText out = NftText.whole();
        String prefix = prefix(tx.table());
        for (int i = 0; i < ops.size();) {
            if (i > 0) {
                out.append("; ");
            }
            i = command(ops, i, prefix, "", out);
        }
        return out.text();
    }

    /** Each operation as a command (consecutive element operations merged), without table blocks. */
    static List<String> commands(NftTransaction tx) {
        List<Op> ops = tx.ops();
        List<String> out = new ArrayList<>();
        String prefix = prefix(tx.table());
        for (int i = 0; i < ops.size();) {
            NftText one = NftText.whole();
            i = command(ops, i, prefix, "", one);
            out.add(one.text());
        }
        return out;
    }

    private static String prefix(Table t) {
        return " " + t.family() + " " + t.name() + " ";
    }

    /** Writes the command of {@code ops[i]} (and the element operations merged with it); returns the next index. */
    private static int command(List<Op> ops, int i, String prefix, String end, NftText out) {
        Op op = ops.get(i);
        NftObject o = op.object();
        out.append(op.verb().nft);
        if (o instanceof Element e) {
            out.append(" element").append(prefix).append(e.set()).append(" { ");
            int j = i;
            for (; j < ops.size() && ops.get(j).verb() == op.verb() && ops.get(j).object() instanceof Element x
                    && x.set().equals(e.set()); j++) {
                if (j > i) {
                    out.append(", ");
                }
                element((Element) ops.get(j).object(), out);
            }
            out.append(" }").append(end);
            return j;
        }
        if (o instanceof Table t) {
            out.append(" table ").append(t.family()).append(' ').append(t.name());
        } else if (o instanceof Set s) {
            out.append(s.isMap() ? " map" : " set").append(prefix).append(s.name());
            if (op.verb() == Verb.ADD) {
                out.append(" { ");
                declaration(s, "", "; ", out);
                out.append('}');
            }
        } else if (o instanceof Chain c) {
            out.append(" chain").append(prefix).append(c.name());
            if (op.verb() == Verb.ADD && c.hook() != null) {
                out.append(" { ");
                hook(c, out);
                out.append(" }");
            }
        } else if (o instanceof Rule r) {
            out.append(" rule").append(prefix).append(r.chain()).append(' ').append(r.expression());
        }
        out.append(end);
        return i + 1;
    }

    /**
     * Where the table block starting at {@code ops[i]} ends: past an {@code add table}, the additions of sets and
     * chains, and of elements and rules in those. {@code i + 1} when {@code ops[i]} starts none.
     */
    private static int blockEnd(List<Op> ops, int i) {
        if (ops.get(i).verb() != Verb.ADD || !(ops.get(i).object() instanceof Table)) {
            return i + 1;
        }
        java.util.Set<String> sets = new java.util.HashSet<>();
        java.util.Set<String> chains = new java.util.HashSet<>();
        int j = i + 1;
        for (; j < ops.size() && ops.get(j).verb() == Verb.ADD; j++) {
            NftObject o = ops.get(j).object();
            if (o instanceof Set s) {
                sets.add(s.name());
            } else if (o instanceof Chain c) {
                chains.add(c.name());
            } else if (!(o instanceof Element e && sets.contains(e.set()) || o instanceof Rule r
                    && chains.contains(r.chain()))) {
                break;
            }
        }
        return j;
    }

    /** {@code table F T { ... }} holding {@code ops}: sets and chains in order, each with its elements or rules. */
    private static void block(Table t, List<Op> ops, NftText out) {
        Map<String, List<Element>> elements = new LinkedHashMap<>();
        Map<String, List<Rule>> rules = new LinkedHashMap<>();
        for (Op op : ops) {
            if (op.object() instanceof Element e) {
                elements.computeIfAbsent(e.set(), k -> new ArrayList<>()).add(e);
            } else if (op.object() instanceof Rule r) {
                rules.computeIfAbsent(r.chain(), k -> new ArrayList<>()).add(r);
            }
        }
        out.append("table ").append(t.family()).append(' ').append(t.name()).append(" {\n");
        for (Op op : ops) {
            if (op.object() instanceof Set s) {
                out.append(s.isMap() ? "\tmap " : "\tset ").append(s.name()).append(" {\n");
                declaration(s, "\t\t", "\n", out);
                List<Element> list = elements.remove(s.name());
                if (list != null) {
                    for (int i = 0; i < list.size(); i++) {
                        out.append(i == 0 ? "\t\telements = { " : ",\n\t\t\t");
                        element(list.get(i), out);
                        out.boundary();
                    }
                    out.append(" }\n");
                }
                out.append("\t}\n");
            } else if (op.object() instanceof Chain c) {
                out.append("\tchain ").append(c.name()).append(" {\n");
                if (c.hook() != null) {
                    out.append("\t\t");
                    hook(c, out);
                    out.append('\n');
                }
                for (Rule r : rules.getOrDefault(c.name(), List.of())) {
                    out.append("\t\t").append(r.expression()).append('\n');
                }
                rules.remove(c.name());
                out.append("\t}\n");
            }
        }
        out.append("}\n");
    }

    /** A set's declaration lines, each started by {@code indent} and ended by {@code end}. */
    private static void declaration(Set s, String indent, String end, NftText out) {
        out.append(indent).append(s.typeOf() ? "typeof " : "type ");
        fields(s.key(), s.typeOf(), out);
        if (s.isMap()) {
            out.append(" : ");
            fields(s.data(), s.typeOf(), out);
        }
        out.append(end);
        if (s.interval()) {
            out.append(indent).append("flags interval").append(end).append(indent).append("auto-merge").append(end);
        }
        if (s.comment() != null) {
            out.append(indent).append("comment \"").append(s.comment()).append('"').append(end);
        }
    }

    private static void fields(List<Field> fields, boolean typeOf, NftText out) {
        for (int i = 0; i < fields.size(); i++) {
            out.append(i == 0 ? "" : " . ").append(typeOf ? fields.get(i).expression() : fields.get(i).kind().nftName);
        }
    }

    private static void hook(Chain c, NftText out) {
        out.append("type ").append(c.hook().type()).append(" hook ").append(c.hook().hook()).append(" priority ")
                .append(c.hook().priority()).append("; policy accept;");
    }

    private static void element(Element e, NftText out) {
        values(e.key(), out);
        if (!e.data().isEmpty()) {
            out.append(" : ");
            values(e.data(), out);
        }
        if (e.comment() != null) {
            out.append(" comment \"").append(e.comment()).append('"');
        }
    }

    private static void values(List<String> values, NftText out) {
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(" . ");
            }
            out.append(values.get(i));
        }
    }
}
