package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.DatapathException;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Chain;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Element;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Field;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Kind;
import dev.clustermesh.agent.datapath.nftables.NftObjects.NftObject;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Rule;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Set;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Table;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Operations on one table that nft applies all or nothing: add, delete or flush of the table, its chains and
 * sets, add of rules, add and delete of set and map elements. Each operation is checked as it is added — names,
 * an element's key and value against its set's declared fields (arity, address family, port range, verdict),
 * comments, the sets a rule names — and the first problem is kept: later operations are ignored, and
 * {@link #render} and every {@link NftRunner} refuse the transaction with that problem, so nothing of it reaches
 * the kernel. What the checks cannot know (an element already there, a chain missing) the kernel refuses, still
 * all or nothing.
 *
 * <p>Elements are checked against the sets declared in this transaction and those the table is known to hold
 * (given at construction). Not thread-safe: one transaction is built and applied by one thread.
 */
final class NftTransaction {
    /** What an operation does to its object. */
    enum Verb {
        ADD, DELETE, FLUSH;

        final String nft = name().toLowerCase(Locale.ROOT);
    }

    private static final Verb[] VERBS = Verb.values();

    /**
     * One operation, in the order it was added.
     *
     * @param verb what it does
     * @param object what it does it to
     */
    record Op(Verb verb, NftObject object) {
    }

    private final Table table;
    private final Map<String, Set> sets = new HashMap<>();
    /** The operations, kept as objects and verbs side by side: a full sync holds 130,000 of them. */
    private final List<NftObject> objects = new ArrayList<>();
    private byte[] verbs = new byte[16];
    private String error;

    /**
     * A transaction on {@code table}.
     *
     * @param existing the sets and maps the table holds already, against which elements are checked
     */
    NftTransaction(Table table, Collection<Set> existing) {
        this.table = table;
        existing.forEach(s -> sets.put(s.name(), s));
        if (!List.of("ip", "ip6", "inet").contains(table.family()) || !NftObjects.validName(table.name())) {
            error = "table '" + table + "': the family must be ip, ip6 or inet and the name an identifier";
        }
    }

    /** Adds {@code object} (creates it, or for elements and rules, inserts them); ignored after an error. */
    NftTransaction add(NftObject object) {
        return op(Verb.ADD, object);
    }

    /** Deletes {@code object} (an element by its key); ignored after an error. */
    NftTransaction delete(NftObject object) {
        return op(Verb.DELETE, object);
    }

    /** Empties a chain of its rules or a set of its elements; ignored after an error. */
    NftTransaction flush(NftObject object) {
        return op(Verb.FLUSH, object);
    }

    /** The first problem found, empty when every operation was valid. */
    Optional<String> error() {
        return Optional.ofNullable(error);
    }

    /** Whether there is nothing to apply (and no error). */
    boolean isEmpty() {
        return objects.isEmpty() && error == null;
    }

    Table table() {
        return table;
    }

    /** The number of operations taken. */
    int size() {
        return objects.size();
    }

    /**
     * The operations, for a renderer or runner.
     *
     * @throws DatapathException with the first problem when an operation was invalid
     */
    List<Op> ops() {
        if (error != null) {
            throw new DatapathException("invalid nft transaction on table " + table + ": " + error, null);
        }
        return new AbstractList<>() {
            @Override
            public Op get(int i) {
                return new Op(VERBS[verbs[i]], objects.get(i));
            }

            @Override
            public int size() {
                return objects.size();
            }
        };
    }

    /**
     * The transaction as {@code nft -f} input.
     *
     * @throws DatapathException with the first problem when an operation was invalid
     */
    String render() {
        NftText out = NftText.whole();
        NftBlock.file(this, out);
        return out.text();
    }

    /** The operations as separate commands, one per line, as {@link #render} writes them outside a table block. */
    List<String> commands() {
        return NftBlock.commands(this);
    }

    @Override
    public String toString() {
        return error != null ? "invalid nft transaction: " + error : objects.size() + " nft operations on " + table;
    }

    private NftTransaction op(Verb verb, NftObject object) {
        if (error != null) {
            return this;
        }
        String problem;
        if (object instanceof Element e) {
            problem = element(verb, e);
        } else if (object instanceof Set s) {
            problem = set(verb, s);
        } else if (object instanceof Chain c) {
            problem = chain(verb, c);
        } else if (object instanceof Rule r) {
            problem = rule(verb, r);
        } else {
            problem = !object.equals(table) ? "this transaction is on table " + table
                    : verb == Verb.FLUSH ? "flush table is not supported" : null;
        }
        if (problem != null) {
            error = "operation " + (objects.size() + 1) + " (" + verb.nft + " " + describe(object) + "): " + problem;
            return this;
        }
        if (objects.size() == verbs.length) {
            verbs = Arrays.copyOf(verbs, verbs.length * 2);
        }
        verbs[objects.size()] = (byte) verb.ordinal();
        objects.add(object);
        if (object instanceof Set s) {
            if (verb == Verb.ADD) {
                sets.put(s.name(), s);
            } else if (verb == Verb.DELETE) {
                sets.remove(s.name());
            }
        } else if (object instanceof Table && verb == Verb.DELETE) {
            sets.clear();
        }
        return this;
    }

    private static String describe(NftObject object) {
        if (object instanceof Element e) {
            return "element " + String.join(" . ", e.key()) + " of " + e.set();
        } else if (object instanceof Set s) {
            return (s.isMap() ? "map " : "set ") + s.name();
        } else if (object instanceof Chain c) {
            return "chain " + c.name();
        } else if (object instanceof Rule r) {
            return "rule in chain " + r.chain();
        }
        return "table " + object;
    }

    private static String chain(Verb verb, Chain c) {
        if (!NftObjects.validName(c.name())) {
            return "'" + c.name() + "' is not a valid chain name";
        }
        if (c.hook() == null || verb != Verb.ADD) {
            return null;
        }
        if (!List.of("filter", "nat", "route").contains(c.hook().type())) {
            return "chain type '" + c.hook().type() + "' is not filter, nat or route";
        }
        return List.of("prerouting", "input", "forward", "output", "postrouting").contains(c.hook().hook()) ? null
                : "'" + c.hook().hook() + "' is not a netfilter hook";
    }

    private String set(Verb verb, Set s) {
        if (!NftObjects.validName(s.name())) {
            return "'" + s.name() + "' is not a valid set name";
        }
        Set known = sets.get(s.name());
        if (verb != Verb.ADD) {
            return known == null ? "no such set in the table or this transaction" : null;
        }
        if (known != null && !known.equals(s)) {
            return "declared already with other fields or flags";
        }
        if (s.key().isEmpty()) {
            return "a set needs at least one key field";
        }
        List<Field> fields = new ArrayList<>(s.key());
        fields.addAll(s.data());
        for (Field f : fields) {
            if ((f.expression() == null) != (s.key().get(0).expression() == null)) {
                return "fields declared partly by type and partly by typeof";
            }
            if (f.kind() == Kind.IPV6_ADDR && table.family().equals("ip")
                    || f.kind() == Kind.IPV4_ADDR && table.family().equals("ip6")) {
                return "an " + f.kind().nftName + " field in a table of family " + table.family();
            }
            if (f.kind() == Kind.VERDICT && (s.data().size() != 1 || s.data().get(0) != f || f.expression() != null)) {
                return "a verdict can only be a map's whole value, declared by type";
            }
        }
        if (s.interval() && (s.isMap() || s.key().size() != 1)) {
            return "only a set of one address field can hold intervals";
        }
        return NftObjects.commentProblem(s.comment());
    }

    private String rule(Verb verb, Rule r) {
        if (verb != Verb.ADD) {
            return "only adding rules is supported (deleting one needs its handle; flush the chain instead)";
        }
        if (!NftObjects.validName(r.chain())) {
            return "'" + r.chain() + "' is not a valid chain name";
        }
        String x = r.expression();
        if (x == null || x.isBlank()) {
            return "an empty rule";
        }
        for (int i = 0; i < x.length(); i++) {
            char c = x.charAt(i);
            if (c < ' ' || c > '~' || c == ';' || c == '#' || c == '\\' || c == '{' || c == '}') {
                return "a rule must be one statement without ; # \\ or braces";
            }
            if (c == '@') {
                int end = i + 1;
                while (end < x.length() && (Character.isLetterOrDigit(x.charAt(end)) || x.charAt(end) == '_')) {
                    end++;
                }
                if (!sets.containsKey(x.substring(i + 1, end))) {
                    return "it names @" + x.substring(i + 1, end) + ", no set in the table or this transaction";
                }
            }
        }
        return null;
    }

    private String element(Verb verb, Element e) {
        if (verb == Verb.FLUSH) {
            return "an element cannot be flushed (flush its set)";
        }
        Set s = sets.get(e.set());
        if (s == null) {
            return "no set or map '" + e.set() + "' in the table or this transaction";
        }
        if (e.key().size() != s.key().size()) {
            return "a key of " + e.key().size() + " values for " + s.name() + "'s " + s.key().size() + " fields";
        }
        for (int i = 0; i < e.key().size(); i++) {
            String p = s.key().get(i).kind().problem(e.key().get(i), s.interval());
            if (p != null) {
                return "key field " + (i + 1) + ": " + p;
            }
        }
        int want = verb == Verb.ADD ? s.data().size() : 0;
        if (e.data().size() != want) {
            return verb == Verb.DELETE ? "an element is deleted by its key alone"
                    : "a value of " + e.data().size() + " fields for " + s.name() + "'s " + want;
        }
        for (int i = 0; i < want; i++) {
            String p = s.data().get(i).kind().problem(e.data().get(i), false);
            if (p != null) {
                return "value field " + (i + 1) + ": " + p;
            }
        }
        return verb == Verb.DELETE && e.comment() != null ? "an element is deleted by its key alone"
                : NftObjects.commentProblem(e.comment());
    }
}
