package dev.clustermesh.dns.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.mesh.MeshView;
import dev.clustermesh.core.worker.Worker;
import dev.clustermesh.dns.zone.Answer;
import dev.clustermesh.dns.zone.Question;
import dev.clustermesh.dns.zone.RecordType;
import dev.clustermesh.dns.zone.ResourceRecord;
import dev.clustermesh.dns.zone.ZoneFixtures;
import dev.clustermesh.testing.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The builder keeps the served zone equal to the merged view, coalescing bursts of changes. */
@Timeout(30)
class ZoneBuilderTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Question REBEL = new Question("rebel-base.default.svc.clusterset.local", RecordType.A, 1);

    @Test
    void aChangeInTheViewReachesTheZoneWithAGreaterSerial() {
        List<Integer> builds = new CopyOnWriteArrayList<>();
        MeshView view = new MeshView();
        MeshObserver observer = new MeshObserver() {
            @Override
            public void zoneBuilt(int names, long buildNanos, long propagationNanos) {
                builds.add(names);
            }
        };
        ZoneBuilder builder = new ZoneBuilder(ZoneFixtures.SETTINGS, view, observer, Duration.ofMillis(200));
        try (Worker worker = builder.worker()) {
            long initial = builder.zone().serial();
            assertThat(builder.zone().answer(REBEL, 0).rcode()).isEqualTo(Answer.NXDOMAIN);
            worker.start();
            MeshKey.Service key = new MeshKey.Service("cluster2", "default", "rebel-base", true);
            for (int i = 1; i <= 50; i++) {
                view.serviceChanged("cluster2", key, ZoneFixtures.service("cluster2", "rebel-base", "http", 80,
                        "10.21.0." + i).addBackends(ZoneFixtures.active("10.20.1.1", "")).build());
                worker.wake();
            }
            Eventually.await(WAIT, () -> {
                assertThat(builder.zone().answer(REBEL, 0).answers()).extracting(ResourceRecord::data)
                        .containsExactly("10.21.0.50");
                assertThat(builder.zone().meshVersion()).isEqualTo(view.version());
            });
            assertThat(builder.zone().serial()).isGreaterThan(initial);
            // 50 changes within the minimum interval: a handful of computations, not 50.
            assertThat(builds).hasSizeLessThan(10);

            view.serviceChanged("cluster2", key, null);
            worker.wake();
            Eventually.await(WAIT, () -> assertThat(builder.zone().answer(REBEL, 0).rcode()).isEqualTo(Answer.NXDOMAIN));
        }
    }
    @Test
    void aViewChangeThatChangesNoRecordKeepsTheSerial() {
        MeshView view = new MeshView();
        ZoneBuilder builder = new ZoneBuilder(ZoneFixtures.SETTINGS, view, MeshObserver.NONE, Duration.ofMillis(50));
        try (Worker worker = builder.worker()) {
            worker.start();
            MeshKey.Service rebel = new MeshKey.Service("cluster2", "default", "rebel-base", true);
            view.serviceChanged("cluster2", rebel, ZoneFixtures.service("cluster2", "rebel-base", "http", 80,
                    "10.21.0.1").addBackends(ZoneFixtures.active("10.20.1.1", "")).build());
            worker.wake();
            Eventually.await(WAIT, () -> assertThat(builder.zone().meshVersion()).isEqualTo(view.version()));
            long serial = builder.zone().serial();
            // A service of another cluster that is not shared: the view changes, no name does.
            MeshKey.Service hidden = new MeshKey.Service("cluster2", "default", "hidden", false);
            for (int i = 1; i <= 3; i++) {
                view.serviceChanged("cluster2", hidden, ZoneFixtures.service("cluster2", "hidden", "http", 80,
                        "10.21.9." + i).setShared(false).build());
                worker.wake();
                long version = view.version();
                Eventually.await(WAIT, () -> assertThat(builder.zone().meshVersion()).isGreaterThanOrEqualTo(version));
                assertThat(builder.zone().serial()).isEqualTo(serial);
            }
            view.serviceChanged("cluster2", rebel, null);
            worker.wake();
            Eventually.await(WAIT, () -> assertThat(builder.zone().serial()).isGreaterThan(serial));
        }
    }
}
