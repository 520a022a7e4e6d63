package dev.clustermesh.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void portsAreDistinctAndBelowTheEphemeralRange() {
        int ephemeral = FreePorts.ephemeralLow();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int port = FreePorts.next();
            assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
            if (ephemeral - 20000 >= 1000) {
                assertThat(port).isBetween(20000, ephemeral - 1);
            }
        }
    }
}
