package dev.clustermesh.proxy.export.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.clustermesh.core.keys.ResourceKind;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class KeyDiffTest {
    private static final OwnKeys OWN = new OwnKeys("c1");
    private static final ByteString A = ByteString.copyFromUtf8("a");
    private static final ByteString B = ByteString.copyFromUtf8("b");

    record Case(String name, Map<String, ByteString> known, Map<String, ByteString> desired,
            Set<ResourceKind> synced, List<KeyOp> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        String svc = "mesh/v1/services/c1/ns/web";
        String node = "mesh/v1/nodes/c1/n1";
        String canary = "mesh/v1/synced/c1/services";
        String config = "mesh/v1/config/c1";
        String heartbeat = "mesh/v1/heartbeat/c1";
        Set<ResourceKind> all = Set.of(ResourceKind.values());
        return Stream.of(
                new Case("equal values are not written", Map.of(svc, A), Map.of(svc, A), all, List.of()),
                new Case("changed and new values are put", Map.of(svc, A), Map.of(svc, B, node, A), all,
                        List.of(new KeyOp.Put(node, A), new KeyOp.Put(svc, B))),
                new Case("known keys no longer desired are deleted", Map.of(svc, A, node, A), Map.of(node, A), all,
                        List.of(new KeyOp.Delete(svc))),
                new Case("kinds not synced are neither written nor pruned", Map.of(svc, A), Map.of(node, A, config, A),
                        Set.of(), List.of(new KeyOp.Put(config, A))),
                new Case("canaries come last, after the heartbeat", Map.of(),
                        Map.of(canary, A, svc, A, heartbeat, A), all,
                        List.of(new KeyOp.Put(svc, A), new KeyOp.Put(heartbeat, A), new KeyOp.Put(canary, A))),
                new Case("keys of other clusters are never touched", Map.of("mesh/v1/services/c10/ns/web", A),
                        Map.of(), all, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void diffs(Case c) {
        List<KeyOp> ops = KeyDiff.diff(c.known(), c.desired(),
                k -> OWN.owns(k) && OWN.kindOf(k).map(c.synced()::contains).orElse(true), OWN::phase);

        assertThat(ops).containsExactlyElementsOf(c.expected());
        assertThat(KeyDiff.applied(c.known(), ops)).allSatisfy((k, v) -> {
            if (c.desired().containsKey(k)) {
                assertThat(v).isEqualTo(c.desired().get(k));
            }
        });
    }

    @Test
    void batchesKeepOrderAndSize() {
        List<KeyOp> ops = Stream.of("a", "b", "c", "d", "e").<KeyOp>map(KeyOp.Delete::new).toList();

        assertThat(KeyDiff.batches(ops, 2, 1000)).containsExactly(ops.subList(0, 2), ops.subList(2, 4),
                ops.subList(4, 5));
        assertThat(KeyDiff.batches(List.of(), 2, 1000)).isEmpty();
        assertThatThrownBy(() -> KeyDiff.batches(ops, 0, 1000)).hasMessageContaining("at least 1");
    }

    @Test
    void batchesStayBelowTheByteLimit() {
        KeyOp big = new KeyOp.Put("k1", ByteString.copyFrom(new byte[98]));
        KeyOp small = new KeyOp.Put("k2", ByteString.copyFrom(new byte[8]));
        KeyOp huge = new KeyOp.Put("k3", ByteString.copyFrom(new byte[500]));
        List<KeyOp> ops = List.of(big, small, small, huge, small);

        assertThat(KeyDiff.batches(ops, 10, 110)).containsExactly(List.of(big, small), List.of(small),
                List.of(huge), List.of(small));
    }

    @Test
    void ownKeysMatchOnlyThisCluster() {
        assertThat(OWN.owns("mesh/v1/config/c1")).isTrue();
        assertThat(OWN.owns("mesh/v1/config/c10")).isFalse();
        assertThat(OWN.owns("mesh/v1/local/services/c1/ns/db")).isTrue();
        assertThat(OWN.owns("mesh/v1/endpoints/c10/10.0.0.1")).isFalse();
        assertThat(OWN.owns("mesh-internal/election/c1")).isFalse();
        assertThat(OWN.kindOf("mesh/v1/local/services/c1/ns/db")).contains(ResourceKind.SERVICES);
        assertThat(OWN.kindOf("mesh/v1/synced/c1/nodes")).contains(ResourceKind.NODES);
        assertThat(OWN.kindOf("mesh/v1/synced/c1/bogus")).isEqualTo(Optional.empty());
        assertThat(OWN.electionKey()).isEqualTo("mesh-internal/election/c1");
    }
}
