package dev.clustermesh.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The address map derived change by change agrees with a plain map after every change, across compactions. */
class IpIdentityMapTest {

    @Test
    void randomChangesAgreeWithAPlainMap() throws Exception {
        Random random = new Random(42);
        Map<InetAddress, Integer> plain = new HashMap<>();
        for (int i = 0; i < 2_000; i++) {
            plain.put(ip(i), 1 + i % 7);
        }
        IpIdentityMap map = IpIdentityMap.of(plain);
        for (int step = 0; step < 3_000; step++) {
            InetAddress gone = ip(random.nextInt(2_500));
            InetAddress now = ip(random.nextInt(2_500));
            int id = 1 + random.nextInt(9);
            plain.remove(gone);
            plain.put(now, id);
            map = map.with(Set.of(gone), Map.of(now, id));
            if (step % 97 == 0) {
                assertThat(map).isEqualTo(plain);
                assertThat(map.size()).isEqualTo(plain.size());
                assertThat(Map.copyOf(map)).isEqualTo(plain);
            }
            assertThat(map.get(gone)).isEqualTo(plain.get(gone));
            assertThat(map.get(now)).isEqualTo(id);
        }
        assertThat(map).isEqualTo(plain);
        assertThat(map.entrySet()).hasSize(plain.size());
    }

    @Test
    void aPlainMapIsCopiedAndAnotherIsKept() throws Exception {
        Map<InetAddress, Integer> plain = new HashMap<>(Map.of(ip(1), 5));
        IpIdentityMap map = IpIdentityMap.of(plain);
        plain.put(ip(2), 6);
        assertThat(map).containsOnlyKeys(ip(1));
        assertThat(IpIdentityMap.of(map)).isSameAs(map);
        assertThat(new PolicyProgram("c1", java.util.List.of(), map, java.util.List.of()).ipIdentities()).isSameAs(map);
    }

    private static InetAddress ip(int i) throws Exception {
        return InetAddress.getByAddress(new byte[] {10, 2, (byte) (i >> 8), (byte) i});
    }
}
