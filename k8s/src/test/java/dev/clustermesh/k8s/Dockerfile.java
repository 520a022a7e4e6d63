package dev.clustermesh.k8s;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The instructions of a Dockerfile: comments dropped, continuation lines joined.
 *
 * @param file the Dockerfile
 * @param instructions each instruction as one line, keyword first
 */
record Dockerfile(Path file, List<String> instructions) {

    Dockerfile {
        instructions = List.copyOf(instructions);
    }

    static Dockerfile read(Path file) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Repo.read(file).split("\n", -1)) {
            String t = line.strip();
            if (t.startsWith("#") || (t.isEmpty() && current.length() == 0)) {
                continue;
            }
            if (t.endsWith("\\")) {
                current.append(t, 0, t.length() - 1).append(' ');
                continue;
            }
            current.append(t);
            out.add(current.toString().strip());
            current.setLength(0);
        }
        return new Dockerfile(file, out);
    }

    /** The arguments of every instruction with this keyword. */
    List<String> all(String keyword) {
        return instructions.stream().filter(i -> i.regionMatches(true, 0, keyword + " ", 0, keyword.length() + 1))
                .map(i -> i.substring(keyword.length() + 1).strip()).toList();
    }

    /** The source paths of every COPY: its words without {@code --flags} and without the destination. */
    List<String> copySources() {
        List<String> sources = new ArrayList<>();
        for (String args : all("COPY")) {
            List<String> words = Arrays.stream(args.split("\\s+")).filter(w -> !w.startsWith("--")).toList();
            sources.addAll(words.subList(0, words.size() - 1));
        }
        return sources;
    }
}
