package dev.clustermesh.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.proxy.cache.SilenceCheck.Verdict;
import org.junit.jupiter.api.Test;

class SilenceCheckTest {

    @Test
    void aCacheThatKeepsUpIsFineEvenWhenAlwaysALittleBehind() {
        SilenceCheck c = new SilenceCheck();
        assertThat(c.probed(10, 12)).isEqualTo(Verdict.FINE); // etcd moved on during the read
        assertThat(c.probed(13, 15)).isEqualTo(Verdict.FINE); // got past 12 since
        assertThat(c.probed(15, 15)).isEqualTo(Verdict.FINE);
        assertThat(c.probed(15, 15)).isEqualTo(Verdict.FINE); // nothing written: nothing expected
    }

    @Test
    void aWatchSilentWhileEtcdMovesOnIsReplacedThenListedAgainIfTheNewOneIsSilentToo() {
        SilenceCheck c = new SilenceCheck();
        assertThat(c.probed(17, 20)).isEqualTo(Verdict.FINE);
        assertThat(c.probed(17, 25)).isEqualTo(Verdict.WATCH_AGAIN); // still below 20, five seconds later
        assertThat(c.probed(17, 27)).isEqualTo(Verdict.FINE); // the new watch gets its chance
        assertThat(c.probed(17, 29)).isEqualTo(Verdict.LIST_AGAIN); // silent as well
        assertThat(c.probed(29, 30)).isEqualTo(Verdict.FINE);
        assertThat(c.probed(31, 31)).isEqualTo(Verdict.FINE); // caught up: the streak is over
        assertThat(c.probed(31, 33)).isEqualTo(Verdict.FINE);
        assertThat(c.probed(31, 35)).isEqualTo(Verdict.WATCH_AGAIN); // a new silence starts with a new watch
    }
}
