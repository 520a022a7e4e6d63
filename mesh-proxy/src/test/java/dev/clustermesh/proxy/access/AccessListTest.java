package dev.clustermesh.proxy.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class AccessListTest {
    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
    private static final Fingerprint ANY = new Fingerprint("1f", KEY);

    @Test
    void listedClustersMayReadOthersAreRefusedByName() {
        AccessList l = AccessList.parse("clusters:\n- name: cluster2\n", "access.yaml");
        assertThat(l.refusal("cluster2", ANY)).isEmpty();
        assertThat(l.refusal("cluster3", ANY)).get().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(Refusal.NOT_ON_ACCESS_LIST);
            assertThat(r.message()).contains("remote-cluster3", "not on this cluster's access list");
        });
    }

    @Test
    void anEmptyFileLetsNobodyInAndNoFileLetsEveryoneIn() {
        assertThat(AccessList.parse("", "access.yaml").refusal("cluster2", ANY)).isPresent();
        assertThat(AccessList.parse("clusters: []", "access.yaml").refusal("cluster2", ANY)).isPresent();
        assertThat(AccessList.OPEN.refusal("cluster2", ANY)).isEmpty();
    }

    @Test
    void pinsMatchTheSerialInAnyNotationOrTheKeyHash() {
        AccessList bySerial = AccessList.parse("clusters:\n- name: c2\n  serials: [\"00:1F\"]\n", "f");
        assertThat(bySerial.refusal("c2", ANY)).isEmpty();
        assertThat(bySerial.refusal("c2", new Fingerprint("20", KEY))).get()
                .satisfies(r -> assertThat(r.reason()).isEqualTo(Refusal.PIN_MISMATCH));
        AccessList byKey = AccessList.parse("clusters:\n- name: c2\n  spki-sha256: [\"" + KEY + "\"]\n", "f");
        assertThat(byKey.refusal("c2", new Fingerprint("20", KEY))).isEmpty();
        assertThat(byKey.refusal("c2", Fingerprint.NONE)).isPresent();
    }

    @Test
    void badInputNamesTheFileAndEveryProblem() {
        assertThatThrownBy(() -> AccessList.parse("clusters:\n- name: Bad_Name\n- name: c2\n  serials: [xyz]\n"
                + "  spki-sha256: [short]\n- name: c2\n- {}\n- 7\ncolour: red\n", "/etc/mesh/access/access.yaml"))
                .isInstanceOf(AccessList.InvalidAccessList.class)
                .hasMessageContaining("/etc/mesh/access/access.yaml")
                .hasMessageContaining("unknown field 'colour'")
                .hasMessageContaining("clusters[0]: name 'Bad_Name'")
                .hasMessageContaining("clusters[1].serials: 'xyz' is not a hexadecimal serial number")
                .hasMessageContaining("clusters[1].spki-sha256: 'short' is not a base64 SHA-256 hash")
                .hasMessageContaining("clusters[3]: 'name' (a cluster name) is required")
                .hasMessageContaining("clusters[4] must be a mapping");
        assertThatThrownBy(() -> AccessList.parse("clusters:\n- name: c2\n  serials: [0123]\n", "f"))
                .hasMessageContaining("clusters[0].serials: 83 is not a string; quote it");
        assertThatThrownBy(() -> AccessList.parse("clusters: [", "f")).hasMessageContaining("f: not valid YAML");
        assertThatThrownBy(() -> AccessList.parse("- c2", "f")).hasMessageContaining("expected a mapping");
    }
}
