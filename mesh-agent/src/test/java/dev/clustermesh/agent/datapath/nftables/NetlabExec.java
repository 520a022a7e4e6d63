package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.netlab.NetnsLab;
import dev.clustermesh.core.policy.cases.Target;
import dev.clustermesh.testing.Command;
import java.util.ArrayList;
import java.util.List;

/** Small commands of {@link NftPolicyIT}'s strict-mode test, run in the lab's network namespaces. */
final class NetlabExec {
    private NetlabExec() {
    }

    static void conntrack(String ns, String... args) {
        List<String> argv = new ArrayList<>(List.of("conntrack"));
        argv.addAll(List.of(args));
        NetlabExec.run(ns, argv);
    }

    static void udp(String ns, String ip, int port) {
        run(ns, List.of("bash", "-c", "echo probe > /dev/udp/" + ip + "/" + port));
    }

    static boolean tracked(String node, Target from, Target to) {
        Command.Result r = NetnsLab.tryExec(node, "conntrack", "-L", "-p", "udp", "-s", from.ip().getHostAddress(),
                "-d", to.ip().getHostAddress());
        return r.output().contains("src=" + from.ip().getHostAddress() + " dst=" + to.ip().getHostAddress());
    }

    private static void run(String ns, List<String> argv) {
        Command.Result r = NetnsLab.tryExec(ns, argv.toArray(String[]::new));
        if (r.exitCode() != 0) {
            throw new AssertionError(String.join(" ", argv) + " in " + ns + " exited " + r.exitCode() + ": "
                    + r.output());
        }
    }
}
