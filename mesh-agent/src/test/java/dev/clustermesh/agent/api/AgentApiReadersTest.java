package dev.clustermesh.agent.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.agent.datapath.Datapath;
import dev.clustermesh.agent.datapath.DatapathChange;
import dev.clustermesh.agent.datapath.DatapathState;
import dev.clustermesh.agent.mesh.AgentCore;
import dev.clustermesh.agent.mesh.AgentObserver;
import dev.clustermesh.agent.mesh.AgentSettings;
import dev.clustermesh.core.identity.ClusterIdentity;
import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.remote.RemoteClusterOptions;
import dev.clustermesh.proto.agent.v1.GetStatusRequest;
import dev.clustermesh.proto.agent.v1.ListServicesRequest;
import dev.clustermesh.proto.mesh.v1.Backend;
import dev.clustermesh.proto.mesh.v1.BackendState;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Port;
import dev.clustermesh.proto.mesh.v1.Protocol;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers never wait for the writer: ListServices and GetStatus answer (median within 50 ms, none near the
 * hold) while the reconciler is inside a full apply of 10,000 services that the datapath holds (standing in for
 * a slow {@code nft -f}), and they answer with the book published before it.
 */
@Timeout(60)
class AgentApiReadersTest {
    private static final int SERVICES = 10_000;
    private static final long LIMIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    @TempDir
    Path clusters;

    /** A datapath whose applies wait until released, as an {@code nft} process that takes its time. */
    static final class HeldDatapath implements Datapath {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile int servicesInApply;

        @Override
        public String name() {
            return "held";
        }

        @Override
        public void apply(DatapathState desired, boolean fullSync) {
            throw new UnsupportedOperationException("the reconciler calls the three-argument apply");
        }

        final AtomicInteger applies = new AtomicInteger();
        volatile boolean heldApplyWasFull;

        @Override
        public void apply(DatapathState desired, DatapathChange change, boolean fullSync) {
            if (applies.incrementAndGet() == 1) {
                // The first apply fails, so the one held below is the retry: a full sync of a book readers
                // have already been shown.
                throw new IllegalStateException("nft: first apply refused (test)");
            }
            if (entered.getCount() == 0) {
                return;
            }
            servicesInApply = desired.lb().services().size();
            heldApplyWasFull = fullSync;
            entered.countDown();
            try {
                release.await(50, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void listServicesAndGetStatusAnswerWithin50msWhileAFullApplyIsHeld() throws Exception {
        HeldDatapath datapath = new HeldDatapath();
        AgentSettings settings = new AgentSettings(new ClusterIdentity("cluster1", 1), "node-1", clusters,
                Duration.ofMillis(100), new RemoteClusterOptions(Duration.ZERO, Duration.ofSeconds(1),
                        Duration.ofSeconds(1)), "held");
        AgentCore core = new AgentCore(settings, datapath, AgentObserver.NONE);
        AgentApi api = new AgentApi(core);
        try {
            for (int i = 0; i < SERVICES; i++) {
                core.view().serviceChanged("cluster1", new MeshKey.Service("cluster1", "default", "svc-" + i, true),
                        service(i));
            }
            // Warm up the answer paths (class loading, JIT) before timing them.
            for (int i = 0; i < 20; i++) {
                ask(api);
            }
            core.start();
            assertThat(datapath.entered.await(30, TimeUnit.SECONDS)).as("the reconciler reached the apply").isTrue();
            assertThat(datapath.servicesInApply).isEqualTo(SERVICES);
            assertThat(datapath.heldApplyWasFull).as("the held apply is the full sync after a failure").isTrue();

            long[] took = new long[20];
            for (int i = 0; i < took.length; i++) {
                took[i] = ask(api);
                // Blocking on the writer would take as long as the hold (up to 50 s): a second is far from it.
                assertThat(took[i]).as("call %d took %d µs", i, took[i] / 1000).isLessThan(TimeUnit.SECONDS.toNanos(1));
            }
            Arrays.sort(took);
            assertThat(took[took.length / 2]).as("median answer, µs: %d", took[took.length / 2] / 1000)
                    .isLessThan(LIMIT_NANOS);
            assertThat(listed(api)).as("readers see the book published before the held apply").isPositive();
            assertThat(datapath.release.getCount()).as("the apply was still held throughout").isEqualTo(1);
        } finally {
            datapath.release.countDown();
            core.close();
        }
    }

    /** How many services ListServices answers for default/svc-1. */
    private static int listed(AgentApi api) {
        return api.listServices(ListServicesRequest.newBuilder().setNamespace("default").setName("svc-1").build())
                .await().atMost(Duration.ofSeconds(5)).getServicesCount();
    }

    /** One ListServices and one GetStatus; the longer of the two, in nanoseconds. */
    private static long ask(AgentApi api) {
        long start = System.nanoTime();
        api.listServices(ListServicesRequest.newBuilder().setNamespace("default").setName("svc-1").build())
                .await().atMost(Duration.ofSeconds(5));
        long list = System.nanoTime() - start;
        start = System.nanoTime();
        api.getStatus(GetStatusRequest.getDefaultInstance()).await().atMost(Duration.ofSeconds(5));
        return Math.max(list, System.nanoTime() - start);
    }

    private static ClusterService service(int i) {
        ClusterService.Builder b = ClusterService.newBuilder().setCluster("cluster1").setNamespace("default")
                .setName("svc-" + i).setShared(true).addClusterIps("10.11." + (i / 250) + "." + (i % 250 + 1))
                .addPorts(Port.newBuilder().setName("http").setProtocol(Protocol.TCP).setPort(80));
        for (int k = 0; k < 10; k++) {
            int n = i * 10 + k;
            b.addBackends(Backend.newBuilder().setIp("10.100." + (n / 256) % 256 + "." + n % 256)
                    .setState(BackendState.BACKEND_STATE_ACTIVE)
                    .addPorts(Port.newBuilder().setName("http").setProtocol(Protocol.TCP).setPort(8080)));
        }
        return b.build();
    }
}
