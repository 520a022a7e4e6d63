package dev.clustermesh.agent.datapath.nftables;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written checks and formats that replaced library calls on the full-sync path agree with them. */
class NftNamesTest {

    @Test
    void aNameIsALetterThenUpTo63LettersDigitsOrUnderscores() {
        assertThat(NftObjects.validName("a")).isTrue();
        assertThat(NftObjects.validName("pe_0123abcd_e")).isTrue();
        assertThat(NftObjects.validName("Z" + "9".repeat(63))).isTrue();
        for (String bad : new String[] {null, "", "1a", "_a", "a-b", "a b", "a.b", "é", "aé", "a\n",
            "a" + "b".repeat(64)}) {
            assertThat(NftObjects.validName(bad)).as(String.valueOf(bad)).isFalse();
        }
    }

    @Test
    void anIpv4KeyIsWhatGetHostAddressWrites() throws Exception {
        Random random = new Random(13);
        byte[][] fixed = {{0, 0, 0, 0}, {(byte) 255, (byte) 255, (byte) 255, (byte) 255}, {10, 0, 100, 9},
            {1, 10, 99, 100}};
        for (byte[] a : fixed) {
            assertThat(NftPolicy.key(InetAddress.getByAddress(a))).isEqualTo(InetAddress.getByAddress(a)
                    .getHostAddress());
        }
        for (int i = 0; i < 10_000; i++) {
            byte[] a = new byte[4];
            random.nextBytes(a);
            InetAddress ip = InetAddress.getByAddress(a);
            assertThat(NftPolicy.key(ip)).isEqualTo(ip.getHostAddress());
        }
    }
}
