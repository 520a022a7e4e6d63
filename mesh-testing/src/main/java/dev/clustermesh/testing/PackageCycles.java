package dev.clustermesh.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds package cycles in a module's compiled classes with the JDK's {@code jdeps -verbose:package}, so a test
 * can fail when two packages come to depend on each other.
 */
public final class PackageCycles {
    private static final Pattern EDGE = Pattern.compile("^\\s+(\\S+)\\s+->\\s+(\\S+)\\s+\\S.*$");

    private PackageCycles() {
    }

    /**
     * Fails when the packages under {@code prefix} in this module's {@code target/classes} form a cycle, or when
     * jdeps found no dependency between them at all (its output no longer parsed: the check would prove nothing).
     *
     * @param module the module's name, for the message
     */
    public static void assertNone(String module, String prefix) {
        Path classes = Path.of("target/classes");
        Map<String, Set<String>> graph = graph(classes, prefix);
        if (graph.values().stream().mapToInt(Set::size).sum() == 0) {
            throw new AssertionError("jdeps found no dependency between packages of " + prefix + " in " + module
                    + ": its output format may have changed");
        }
        List<Set<String>> cycles = cycles(graph);
        if (!cycles.isEmpty()) {
            throw new AssertionError("package cycles in " + module + " (jdeps -verbose:package " + classes + "): "
                    + cycles);
        }
    }

    /**
     * The package dependency graph of {@code classes} (a {@code target/classes} directory), restricted to packages
     * starting with {@code prefix}.
     *
     * @throws AssertionError when the directory is missing or jdeps fails or is not in this JDK
     */
    public static Map<String, Set<String>> graph(Path classes, String prefix) {
        if (!Files.isDirectory(classes)) {
            throw new AssertionError(classes + " is not a directory: compile the module first");
        }
        ToolProvider jdeps = ToolProvider.findFirst("jdeps")
                .orElseThrow(() -> new AssertionError("jdeps is not in this JDK (java.home " + System.getProperty("java.home") + ")"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = jdeps.run(new PrintWriter(out), new PrintWriter(err), "-verbose:package", classes.toString());
        if (code != 0) {
            throw new AssertionError("jdeps -verbose:package " + classes + " exited " + code + ": " + err);
        }
        return parse(out.toString(), prefix);
    }

    /** The graph in jdeps {@code -verbose:package} output, restricted to packages starting with {@code prefix}. */
    public static Map<String, Set<String>> parse(String jdepsOutput, String prefix) {
        Map<String, Set<String>> graph = new TreeMap<>();
        for (String line : jdepsOutput.split("\n")) {
            Matcher m = EDGE.matcher(line);
            if (m.matches() && m.group(1).startsWith(prefix) && m.group(2).startsWith(prefix)
                    && !m.group(1).equals(m.group(2))) {
                graph.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
                graph.computeIfAbsent(m.group(2), k -> new TreeSet<>());
            }
        }
        return graph;
    }

    /** Every set of two or more packages that depend on each other (strongly connected components), sorted. */
    public static List<Set<String>> cycles(Map<String, Set<String>> graph) {
        return new Tarjan(graph).run();
    }

    /** Tarjan's strongly connected components, iterative over packages, recursive over the (shallow) graph. */
    private static final class Tarjan {
        private final Map<String, Set<String>> graph;
        private final Map<String, Integer> index = new HashMap<>();
        private final Map<String, Integer> low = new HashMap<>();
        private final Deque<String> stack = new ArrayDeque<>();
        private final Set<String> onStack = new TreeSet<>();
        private final List<Set<String>> found = new ArrayList<>();
        private int next;

        Tarjan(Map<String, Set<String>> graph) {
            this.graph = graph;
        }

        List<Set<String>> run() {
            for (String v : graph.keySet()) {
                if (!index.containsKey(v)) {
                    visit(v);
                }
            }
            return found;
        }

        private void visit(String v) {
            index.put(v, next);
            low.put(v, next);
            next++;
            stack.push(v);
            onStack.add(v);
            for (String w : graph.getOrDefault(v, Set.of())) {
                if (!index.containsKey(w)) {
                    visit(w);
                    low.put(v, Math.min(low.get(v), low.get(w)));
                } else if (onStack.contains(w)) {
                    low.put(v, Math.min(low.get(v), index.get(w)));
                }
            }
            if (low.get(v).equals(index.get(v))) {
                Set<String> component = new TreeSet<>();
                String w;
                do {
                    w = stack.pop();
                    onStack.remove(w);
                    component.add(w);
                } while (!w.equals(v));
                if (component.size() > 1) {
                    found.add(component);
                }
            }
        }
    }
}
