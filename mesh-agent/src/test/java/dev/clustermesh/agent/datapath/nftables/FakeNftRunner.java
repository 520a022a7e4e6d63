package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.DatapathException;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Chain;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Element;
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
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * nft in memory, for unit tests. Keeps {@link NftRunner}'s contract (NftRunnerContract runs against it as
 * against the real runners): a transaction is applied to a copy of the tables, which replaces them only when
 * every operation succeeded; what the kernel refuses it refuses, in nft's words ("No such file or directory",
 * "File exists"). {@link #list} prints a set or map as nft 1.0.6 does; {@link #dump()} prints everything, sorted,
 * for golden comparisons.
 */
final class FakeNftRunner implements NftRunner {
    private static final String ENOENT = "No such file or directory";
    private static final String EEXIST = "File exists";

    /** One table's content. */
    private static final class Content {
        final Map<String, Set> sets = new TreeMap<>();
        final Map<String, Map<List<String>, Element>> elements = new TreeMap<>();
        final Map<String, Chain> chains = new TreeMap<>();
        final Map<String, List<String>> rules = new TreeMap<>();

        Content copy() {
            Content c = new Content();
            c.sets.putAll(sets);
            elements.forEach((k, v) -> c.elements.put(k, new LinkedHashMap<>(v)));
            c.chains.putAll(chains);
            rules.forEach((k, v) -> c.rules.put(k, new ArrayList<>(v)));
            return c;
        }
    }

    private Map<Table, Content> tables = new LinkedHashMap<>();
    private int applied;

    @Override
    public synchronized void apply(NftTransaction tx) {
        List<Op> ops = tx.ops();
        if (ops.isEmpty()) {
            return;
        }
        Map<Table, Content> copy = new LinkedHashMap<>();
        tables.forEach((t, c) -> copy.put(t, c.copy()));
        for (Op op : ops) {
            String error = apply(copy, tx.table(), op);
            if (error != null) {
                throw new DatapathException("nft (fake) refused the transaction: Error: Could not process rule: "
                        + error + " (" + op.verb().nft + " " + op.object() + ")", null);
            }
        }
        tables = copy;
        applied++;
    }

    /** Transactions applied so far (refused ones and empty ones not counted). */
    synchronized int applied() {
        return applied;
    }

    private static String apply(Map<Table, Content> tables, Table table, Op op) {
        NftObject o = op.object();
        if (o instanceof Table) {
            if (op.verb() == Verb.ADD) {
                tables.putIfAbsent(table, new Content());
                return null;
            }
            return tables.remove(table) == null ? ENOENT : null;
        }
        Content c = tables.get(table);
        if (c == null) {
            return ENOENT;
        }
        if (o instanceof Set s) {
            return set(c, op.verb(), s);
        } else if (o instanceof Chain ch) {
            return chain(c, op.verb(), ch);
        } else if (o instanceof Rule r) {
            if (!c.chains.containsKey(r.chain())) {
                return ENOENT;
            }
            c.rules.get(r.chain()).add(r.expression());
            return null;
        }
        return element(c, op.verb(), (Element) o);
    }

    private static String set(Content c, Verb verb, Set s) {
        Set known = c.sets.get(s.name());
        if (verb == Verb.ADD) {
            if (known != null) {
                return known.equals(s) ? null : EEXIST;
            }
            c.sets.put(s.name(), s);
            c.elements.put(s.name(), new LinkedHashMap<>());
            return null;
        }
        if (known == null) {
            return ENOENT;
        }
        if (verb == Verb.DELETE) {
            c.sets.remove(s.name());
            c.elements.remove(s.name());
        } else {
            c.elements.get(s.name()).clear();
        }
        return null;
    }

    private static String chain(Content c, Verb verb, Chain ch) {
        boolean known = c.chains.containsKey(ch.name());
        if (verb == Verb.ADD) {
            if (!known) {
                c.chains.put(ch.name(), ch);
                c.rules.put(ch.name(), new ArrayList<>());
            }
            return null;
        }
        if (!known) {
            return ENOENT;
        }
        if (verb == Verb.DELETE) {
            c.chains.remove(ch.name());
            c.rules.remove(ch.name());
        } else {
            c.rules.get(ch.name()).clear();
        }
        return null;
    }

    private static String element(Content c, Verb verb, Element e) {
        Map<List<String>, Element> elements = c.elements.get(e.set());
        if (elements == null) {
            return ENOENT;
        }
        Element known = elements.get(e.key());
        if (verb == Verb.DELETE) {
            return elements.remove(e.key()) == null ? ENOENT : null;
        }
        if (known != null) {
            // As the kernel: same data is no change (a set element keeps its comment), other data is refused.
            return known.data().equals(e.data()) ? null : EEXIST;
        }
        for (String value : e.data()) {
            if ((value.startsWith("goto ") || value.startsWith("jump ")) && !c.chains.containsKey(value.substring(5))) {
                return ENOENT;
            }
        }
        elements.put(e.key(), e);
        return null;
    }

    /**
     * Supports {@code flowtables} (none) and {@code set|map FAMILY TABLE NAME}, printed as nft 1.0.6 prints them.
     */
    @Override
    public synchronized String list(List<String> what) {
        if (what.equals(List.of("flowtables"))) {
            return "";
        }
        if (what.size() == 4 && (what.get(0).equals("set") || what.get(0).equals("map"))) {
            Content c = tables.get(new Table(what.get(1), what.get(2)));
            Set s = c == null ? null : c.sets.get(what.get(3));
            if (s != null && s.isMap() == what.get(0).equals("map")) {
                return "table " + what.get(1) + " " + what.get(2) + " {\n"
                        + listing(s, c.elements.get(s.name()).values()) + "}\n";
            }
        }
        throw new DatapathException("nft list " + String.join(" ", what) + " exited with 1: Error: " + ENOENT, null);
    }

    private static String listing(Set s, java.util.Collection<Element> elements) {
        NftTransaction tx = new NftTransaction(new Table("inet", "listing"), List.of()).add(s);
        String declaration = tx.commands().get(0);
        declaration = declaration.substring(declaration.indexOf("{ ") + 2, declaration.length() - 1);
        StringBuilder b = new StringBuilder("\t").append(s.isMap() ? "map " : "set ").append(s.name()).append(" {\n");
        for (String line : declaration.split("; ")) {
            if (!line.isBlank()) {
                b.append("\t\t").append(line.strip().replaceAll(";$", "")).append('\n');
            }
        }
        if (!elements.isEmpty()) {
            b.append("\t\telements = { ").append(elements.stream().map(FakeNftRunner::text)
                    .collect(Collectors.joining(",\n\t\t\t     "))).append(" }\n");
        }
        return b.append("\t}\n").toString();
    }

    private static String text(Element e) {
        return String.join(" . ", e.key()) + (e.data().isEmpty() ? "" : " : " + String.join(" . ", e.data()))
                + (e.comment() == null ? "" : " comment \"" + e.comment() + "\"");
    }

    /** Every table, chain with its rules, and set with its elements, sorted: the same content dumps the same. */
    synchronized String dump() {
        StringBuilder b = new StringBuilder();
        tables.entrySet().stream().sorted((x, y) -> x.getKey().toString().compareTo(y.getKey().toString()))
                .forEach(t -> {
                    b.append("table ").append(t.getKey()).append('\n');
                    Content c = t.getValue();
                    c.chains.forEach((name, ch) -> b.append("  chain ").append(name)
                            .append(ch.hook() == null ? "" : " (" + ch.hook().type() + " " + ch.hook().hook() + " "
                                    + ch.hook().priority() + ")")
                            .append(c.rules.get(name).stream().map(r -> "\n    " + r).collect(Collectors.joining()))
                            .append('\n'));
                    c.sets.forEach((name, s) -> b.append(s.isMap() ? "  map " : "  set ").append(name)
                            .append(c.elements.get(name).values().stream().map(FakeNftRunner::text).sorted()
                                    .map(e -> "\n    " + e).collect(Collectors.joining())).append('\n'));
                });
        return b.toString();
    }

    @Override
    public void close() {
    }
}
