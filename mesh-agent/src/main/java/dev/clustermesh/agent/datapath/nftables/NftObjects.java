package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.core.net.IpAddresses;
import java.util.List;

/**
 * The nftables objects a {@link NftTransaction} adds, deletes or flushes: plain values, checked only when a
 * transaction takes them (so that a bad one becomes the transaction's first error rather than an exception
 * thrown wherever it was built). Every object lives in the transaction's one table.
 */
final class NftObjects {
    /** nft keeps at most 128 characters of a comment. */
    static final int MAX_COMMENT = 128;

    private NftObjects() {
    }

    /** Anything a transaction can name in an operation. */
    sealed interface NftObject permits Table, Chain, Set, Rule, Element {
    }

    /**
     * A table.
     *
     * @param family {@code ip}, {@code ip6} or {@code inet}
     * @param name its name
     */
    record Table(String family, String name) implements NftObject {
        @Override
        public String toString() {
            return family + " " + name;
        }
    }

    /**
     * A chain; a base chain when {@code hook} is not null (policy accept).
     *
     * @param name its name
     * @param hook where the kernel runs it, null for a chain reached only by jump or goto
     */
    record Chain(String name, Hook hook) implements NftObject {
        static Chain regular(String name) {
            return new Chain(name, null);
        }
    }

    /**
     * A base chain's place in the kernel.
     *
     * @param type {@code filter}, {@code nat} or {@code route}
     * @param hook {@code prerouting}, {@code input}, {@code forward}, {@code output} or {@code postrouting}
     * @param priority lower runs first
     */
    record Hook(String type, String hook, int priority) {
    }

    /**
     * A set, or a map when {@code data} is not empty.
     *
     * @param name its name
     * @param key the fields of an element's key, in order
     * @param data the fields of a map element's value; empty for a set
     * @param interval {@code flags interval} with {@code auto-merge}: elements may be CIDRs and may overlap
     * @param comment the set's comment, null for none
     */
    record Set(String name, List<Field> key, List<Field> data, boolean interval, String comment) implements NftObject {
        Set {
            key = List.copyOf(key);
            data = List.copyOf(data);
        }

        boolean isMap() {
            return !data.isEmpty();
        }

        /** Declared with {@code typeof} expressions rather than {@code type} names. */
        boolean typeOf() {
            return key.get(0).expression() != null;
        }
    }

    /**
     * One field of a set's key or a map's value.
     *
     * @param kind its datatype, which decides the values it takes
     * @param expression the {@code typeof} expression ({@code ip daddr}), null when declared by {@code type}
     */
    record Field(Kind kind, String expression) {
        static Field type(Kind kind) {
            return new Field(kind, null);
        }

        static Field typeOf(Kind kind, String expression) {
            return new Field(kind, expression);
        }
    }

    /** The datatypes this agent's sets use, each with the values it accepts. */
    enum Kind {
        IPV4_ADDR("ipv4_addr"), IPV6_ADDR("ipv6_addr"), INET_PROTO("inet_proto"), INET_SERVICE("inet_service"),
        INTEGER("integer"), VERDICT("verdict");

        /** The name nft gives it in a {@code type} declaration. */
        final String nftName;

        Kind(String nftName) {
            this.nftName = nftName;
        }

        /**
         * What is wrong with {@code value} as a value of this kind.
         *
         * @param interval whether the set takes CIDRs
         * @return null when the value is valid
         */
        String problem(String value, boolean interval) {
            if (value == null || value.isEmpty()) {
                return "an empty " + nftName;
            }
            boolean ok = switch (this) {
                case IPV4_ADDR -> NftRender.isIpv4(value) || interval && cidr(value, false);
                case IPV6_ADDR -> value.indexOf(':') >= 0
                        && (IpAddresses.isLiteral(value) || interval && cidr(value, true));
                case INET_PROTO -> value.equals("tcp") || value.equals("udp") || value.equals("sctp");
                case INET_SERVICE -> number(value, 1, 65535);
                case INTEGER -> number(value, 0, Integer.MAX_VALUE);
                case VERDICT -> verdict(value);
            };
            if (ok) {
                return null;
            }
            return switch (this) {
                case INET_SERVICE -> "'" + value + "' is not a port (1-65535)";
                case INET_PROTO -> "'" + value + "' is not tcp, udp or sctp";
                case IPV4_ADDR, IPV6_ADDR -> "'" + value + "' is not an " + (this == IPV4_ADDR ? "IPv4" : "IPv6")
                        + (interval ? " address or CIDR" : " address");
                default -> "'" + value + "' is not a valid " + nftName;
            };
        }

        private static boolean cidr(String value, boolean v6) {
            int slash = value.indexOf('/');
            return slash > 0 && (value.indexOf(':') >= 0) == v6 && IpAddresses.cidrProblem(value).isEmpty()
                    && (v6 || NftRender.isIpv4(value.substring(0, slash)));
        }

        private static boolean number(String value, long min, long max) {
            if (value.length() > 10 || value.length() > 1 && value.charAt(0) == '0') {
                return false;
            }
            long n = 0;
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < '0' || c > '9') {
                    return false;
                }
                n = n * 10 + (c - '0');
            }
            return n >= min && n <= max;
        }

        private static boolean verdict(String value) {
            return switch (value) {
                case "accept", "drop", "continue", "return" -> true;
                default -> (value.startsWith("goto ") || value.startsWith("jump ")) && validName(value.substring(5));
            };
        }
    }

    /**
     * A rule appended to a chain. Its expression is nft text, checked for what could end it or start another
     * statement and for the sets it names ({@code @name}); rules are few and fixed, element operations are many.
     *
     * @param chain the chain's name
     * @param expression the rule, such as {@code ct state invalid drop}
     */
    record Rule(String chain, String expression) implements NftObject {
    }

    /**
     * A set or map element.
     *
     * @param set the set's name
     * @param key the key, one value per field of the set's key
     * @param data a map element's value, one value per field; empty for a set element and for a delete
     * @param comment its comment, null for none
     */
    record Element(String set, List<String> key, List<String> data, String comment) implements NftObject {
        Element {
            key = List.copyOf(key);
            data = List.copyOf(data);
        }

        /** A set element without comment, or a map element to delete (by its key). */
        static Element ofKey(String set, List<String> key) {
            return new Element(set, key, List.of(), null);
        }
    }

    /**
     * Whether {@code name} can name a table, chain or set: what nft's parser reads as one identifier whatever
     * follows it.
     */
    static boolean validName(String name) {
        // [A-Za-z][A-Za-z0-9_]{0,63}, by hand: a full sync checks the verdict of every map element
        if (name == null || name.isEmpty() || name.length() > 64 || !letter(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!letter(c) && !(c >= '0' && c <= '9') && c != '_') {
                return false;
            }
        }
        return true;
    }

    private static boolean letter(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    /** What is wrong with a comment; null when nothing. */
    static String commentProblem(String comment) {
        if (comment == null) {
            return null;
        }
        if (comment.length() > MAX_COMMENT) {
            return "a comment longer than " + MAX_COMMENT + " characters";
        }
        for (int i = 0; i < comment.length(); i++) {
            char c = comment.charAt(i);
            if (c < ' ' || c > '~' || c == '"' || c == '\\') {
                return "a comment with a quote, backslash or non-printable character";
            }
        }
        return null;
    }
}
