package dev.clustermesh.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ClusterIdentityTest {

    record Case(String name, int id, String error) {
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("cluster1", 1, null),
                new Case("a", 255, null),
                new Case("x".repeat(32), 7, null),
                new Case("eu-west-1", 12, null),
                new Case("x".repeat(33), 7, "cluster name '" + "x".repeat(33) + "' is 33 characters long; at most 32"),
                new Case("", 1, "cluster name must not be empty"),
                new Case(null, 1, "cluster name must not be empty"),
                new Case("Cluster1", 1, "cluster name 'Cluster1' is not a lowercase DNS label"),
                new Case("-c1", 1, "cluster name '-c1' is not a lowercase DNS label"),
                new Case("c1-", 1, "cluster name 'c1-' is not a lowercase DNS label"),
                new Case("c_1", 1, "cluster name 'c_1' is not a lowercase DNS label"),
                new Case("c.1", 1, "cluster name 'c.1' is not a lowercase DNS label"),
                new Case("c1", 0, "cluster id 0 is out of range; it must be between 1 and 255"),
                new Case("c1", 256, "cluster id 256 is out of range"),
                new Case("c1", -3, "cluster id -3 is out of range"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void validatesNameAndId(Case c) {
        if (c.error() == null) {
            assertThat(new ClusterIdentity(c.name(), c.id()).name()).isEqualTo(c.name());
        } else {
            assertThatThrownBy(() -> new ClusterIdentity(c.name(), c.id()))
                    .isInstanceOf(InvalidClusterException.class).hasMessageContaining(c.error());
        }
    }

    @Test
    void parsesIdsFromTextNamingTheSource() {
        assertThat(ClusterIdentity.parseId("--cluster-id", " 42 ")).isEqualTo(42);
        assertThatThrownBy(() -> ClusterIdentity.parseId("--cluster-id", "two"))
                .hasMessage("--cluster-id: cluster id 'two' is not a number");
        assertThatThrownBy(() -> ClusterIdentity.parseId("mesh.cluster.id", "99999999999"))
                .hasMessageStartingWith("mesh.cluster.id: cluster id 99999999999 is out of range");
    }

    @Test
    void meshRefusesDuplicateNamesAndIdsNamingBothEntries() {
        ClusterIdentity c1 = new ClusterIdentity("cluster1", 1);
        ClusterIdentity c2 = new ClusterIdentity("cluster2", 2);
        MeshMembership mesh = new MeshMembership(List.of(c1, c2));

        assertThat(mesh.with(new ClusterIdentity("cluster3", 3)).members()).hasSize(3);
        assertThatThrownBy(() -> mesh.with(new ClusterIdentity("cluster1", 9)))
                .isInstanceOf(InvalidClusterException.class)
                .hasMessage("duplicate cluster name 'cluster1': cluster1 (id 1) and cluster1 (id 9)");
        assertThatThrownBy(() -> mesh.with(new ClusterIdentity("cluster9", 2)))
                .hasMessage("duplicate cluster id 2: cluster2 (id 2) and cluster9 (id 2)");
        assertThat(MeshMembership.conflicts(List.of(c1, c1))).containsExactly(
                "duplicate cluster name 'cluster1': cluster1 (id 1) and cluster1 (id 1)");
        assertThat(MeshMembership.conflicts(List.of(c1, new ClusterIdentity("cluster1", 2), c2))).containsExactly(
                "duplicate cluster name 'cluster1': cluster1 (id 1) and cluster1 (id 2)",
                "duplicate cluster id 2: cluster1 (id 2) and cluster2 (id 2)");
    }
}
