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
                Map<InetAddress, Integer> walked = new HashMap<>();
                map.forEach(walked::put);
                assertThat(walked).as("forEach, with or without changes since the base").isEqualTo(plain);
                assertThat(map.keySet()).isEqualTo(plain.keySet());
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

    @Test
    void anOwnedMapAnswersAsTheMapItWrapsAndCannotBeChangedThroughIt() throws Exception {
        Map<InetAddress, Integer> built = new HashMap<>(Map.of(ip(1), 5, ip(2), 6));
        IpIdentityMap map = IpIdentityMap.owning(built);
        assertThat(map).isEqualTo(built);
        Map<InetAddress, Integer> walked = new HashMap<>();
        map.forEach(walked::put);
        assertThat(walked).isEqualTo(built);
        assertThat(map.keySet()).containsExactlyInAnyOrder(ip(1), ip(2));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> map.keySet().remove(ip(1)))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(map.with(Set.of(ip(1)), Map.of(ip(3), 7))).containsOnlyKeys(ip(2), ip(3));
        assertThat(map).as("deriving leaves it as it was").containsOnlyKeys(ip(1), ip(2));
    }

    private static InetAddress ip(int i) throws Exception {
        return InetAddress.getByAddress(new byte[] {10, 2, (byte) (i >> 8), (byte) i});
    }
}
