package dev.clustermesh.core.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WatchStoreTest {
    private final List<String> log = new ArrayList<>();
    private final WatchStore<String> store = new WatchStore<>(new WatchStore.Observer<>() {
        @Override
        public void upsert(String key, String value) {
            log.add("+" + key + "=" + value);
        }

        @Override
        public void delete(String key, String last) {
            log.add("-" + key);
        }
    });

    @Test
    void reListReportsOnlyRealChangesAndDropsWhatIsStillStale() {
        store.upsert("a", "1");
        store.upsert("b", "1");
        store.upsert("c", "1");
        log.clear();

        store.markStale();
        store.upsert("a", "1");
        store.upsert("b", "2");
        store.upsert("d", "1");
        store.sweep();

        assertThat(log).containsExactly("+b=2", "+d=1", "-c");
        assertThat(store.size()).isEqualTo(3);
    }

    @Test
    void deletesOfUnknownKeysAreSilentAndClearWithdrawsEverything() {
        store.delete("nothing");
        store.upsert("a", "1");
        store.clear();
        assertThat(log).containsExactly("+a=1", "-a");
        assertThat(store.size()).isZero();
    }
}
