package dev.clustermesh.dns.mesh;

import dev.clustermesh.testing.Binaries;
import dev.clustermesh.testing.Command;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real {@code dig} (bind9-dnsutils) against a local server, with its output parsed. */
public final class Dig {
    private static final Pattern STATUS = Pattern.compile("status: (\\w+)");
    private static final Pattern FLAGS = Pattern.compile(";; flags: ([a-z ]+);");

    /**
     * What dig printed.
     *
     * @param status the response code mnemonic
     * @param flags the header flags (qr, aa, tc, rd...)
     * @param answers the answer section's records as "name ttl class type data", whitespace collapsed
     * @param authority the authority section's records, the same way
     * @param additional the additional section's records, the same way
     * @param output everything dig printed
     */
    public record Result(String status, List<String> flags, List<String> answers, List<String> authority,
            List<String> additional, String output) {
        /** The data column of every answer record. */
        public List<String> data() {
            return answers.stream().map(a -> a.split(" ", 5)[4]).toList();
        }
    }

    private Dig() {
    }

    /** Runs {@code dig @127.0.0.1 -p port name type options...}. */
    public static Result query(int port, String name, String type, String... options) {
        String dig = Binaries.require("dig", "apt-get install -y bind9-dnsutils").toString();
        List<String> cmd = new ArrayList<>(List.of(dig, "@127.0.0.1", "-p", Integer.toString(port), "+time=2",
                "+tries=1", "+nocookie", name, type));
        cmd.addAll(List.of(options));
        Command.Result r = Command.run(Duration.ofSeconds(20), Map.of(), cmd);
        String out = r.output();
        Matcher s = STATUS.matcher(out);
        Matcher f = FLAGS.matcher(out);
        if (r.exitCode() != 0 || !s.find() || !f.find()) {
            throw new AssertionError("dig " + name + " " + type + " failed (exit " + r.exitCode() + "):\n" + out);
        }
        return new Result(s.group(1), List.of(f.group(1).trim().split(" ")), section(out, "ANSWER"),
                section(out, "AUTHORITY"), section(out, "ADDITIONAL"), out);
    }

    private static List<String> section(String out, String name) {
        List<String> lines = new ArrayList<>();
        boolean in = false;
        for (String line : out.split("\n")) {
            if (line.startsWith(";; " + name + " SECTION:")) {
                in = true;
            } else if (in && (line.isBlank() || line.startsWith(";;"))) {
                in = false;
            } else if (in) {
                lines.add(line.trim().replaceAll("\\s+", " "));
            }
        }
        return lines;
    }
}
