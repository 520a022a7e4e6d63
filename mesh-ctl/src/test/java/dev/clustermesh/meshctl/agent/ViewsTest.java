package dev.clustermesh.meshctl.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.proto.agent.v1.ClusterStatus;
import dev.clustermesh.proto.agent.v1.GetStatusResponse;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Why {@code meshctl status} says an agent whose clusters are all synced is not ready (issue 14). */
class ViewsTest {

    @Test
    void behindIsMeasuredAgainstTheRevisionEachClusterSyncedAtNotTheLatestReceived() {
        GetStatusResponse s = status(true, cluster("cluster1", 120, 100, 90), cluster("cluster2", 60, 40, 50));
        assertThat(Views.problems(s)).containsExactly(
                "the datapath does not hold every synced cluster's state yet: cluster2 at revision 40 of 50 (synced)");
    }

    @Test
    void anAgentWhosePolicyProgramIsBehindSaysSo() {
        GetStatusResponse s = status(false, cluster("cluster1", 120, 100, 90), cluster("cluster2", 60, 60, 50));
        assertThat(Views.problems(s)).singleElement().asString()
                .startsWith("the network policy program does not hold every synced cluster's pods and policies yet");
    }

    @Test
    void anAgentThatProgrammedNothingYetSaysThat() {
        GetStatusResponse s = status(true, cluster("cluster1", 120, 0, 0));
        assertThat(Views.problems(s)).containsExactly("the agent has not programmed its datapath yet");
    }

    @Test
    void theStatusLineShowsTheSyncedRevisionWhileChangesWait() {
        GetStatusResponse s = status(true, cluster("cluster2", 60, 40, 50)).toBuilder().setReady(false).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Views.printStatus(s, "127.0.0.1:9876", false, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("revision 60 received, 40 programmed (synced at 50)",
                "cluster2 at revision 40 of 50 (synced)");
    }

    private static GetStatusResponse status(boolean policyCaughtUp, ClusterStatus... clusters) {
        GetStatusResponse.Builder b = GetStatusResponse.newBuilder().setCluster("cluster1").setReady(false)
                .setPolicyBehind(!policyCaughtUp);
        for (ClusterStatus c : clusters) {
            b.addClusters(c);
        }
        return b.build();
    }

    private static ClusterStatus cluster(String name, long received, long programmed, long synced) {
        return ClusterStatus.newBuilder().setName(name).setConnected(true).setReady(true)
                .setRevisionReceived(received).setRevisionProgrammed(programmed).setRevisionSynced(synced)
                .setOldestUnappliedMillis(-1).build();
    }
}
