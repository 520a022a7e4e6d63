package dev.clustermesh.proxy.etcdapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Range answers beyond the bound wait, in order; each release starts what now fits; small answers never wait. */
class RangeBudgetTest {
    private static final long KB = 1024;

    @Test
    void answersThatFitGoAtOnceTheRestWaitInOrder() {
        RangeBudget budget = new RangeBudget(1000 * KB);
        List<String> started = new ArrayList<>();
        budget.acquire(600 * KB, () -> started.add("a"));
        budget.acquire(300 * KB, () -> started.add("b"));
        budget.acquire(200 * KB, () -> started.add("c"));
        budget.acquire(90 * KB, () -> started.add("d"));
        // d would fit, but c waits before it: first come, first served, so a large answer is never starved.
        assertThat(started).containsExactly("a", "b");
        assertThat(budget.used()).isEqualTo(900 * KB);
        assertThat(budget.waits()).isEqualTo(2);

        budget.release(600 * KB);
        assertThat(started).containsExactly("a", "b", "c", "d");
        assertThat(budget.used()).isEqualTo(590 * KB);
        budget.release(300 * KB);
        budget.release(200 * KB);
        budget.release(90 * KB);
        assertThat(budget.used()).isZero();
        assertThat(budget.peak()).isEqualTo(900 * KB);
    }

    @Test
    void smallAnswersNeverWaitBehindLargeOnes() {
        RangeBudget budget = new RangeBudget(100 * KB);
        List<String> started = new ArrayList<>();
        budget.acquire(90 * KB, () -> started.add("large"));
        budget.acquire(90 * KB, () -> started.add("waits"));
        budget.acquire(RangeBudget.SMALL, () -> started.add("key"));
        assertThat(started).containsExactly("large", "key");
        assertThat(budget.waits()).isEqualTo(1);
    }

    @Test
    void anAnswerLargerThanTheBoundGoesAlone() {
        RangeBudget budget = new RangeBudget(100 * KB);
        List<String> started = new ArrayList<>();
        budget.acquire(70 * KB, () -> started.add("first"));
        budget.acquire(500 * KB, () -> started.add("huge"));
        budget.acquire(70 * KB, () -> started.add("after"));
        assertThat(started).containsExactly("first");
        budget.release(70 * KB);
        assertThat(started).containsExactly("first", "huge");
        budget.release(500 * KB);
        assertThat(started).containsExactly("first", "huge", "after");
    }

    @Test
    void aWaiterStartedByAReleaseMayReleaseAtOnce() {
        RangeBudget budget = new RangeBudget(100 * KB);
        List<String> started = new ArrayList<>();
        budget.acquire(100 * KB, () -> started.add("first"));
        // A cancelled call gives its bytes back as soon as it is started.
        budget.acquire(100 * KB, () -> {
            started.add("cancelled");
            budget.release(100 * KB);
        });
        budget.acquire(100 * KB, () -> started.add("third"));
        budget.release(100 * KB);
        assertThat(started).containsExactly("first", "cancelled", "third");
        assertThat(budget.used()).isEqualTo(100 * KB);
    }

    @Test
    void anEstimateIsCorrectedToTheRealSize() {
        RangeBudget budget = new RangeBudget(100 * KB);
        List<String> started = new ArrayList<>();
        budget.acquire(80 * KB, () -> started.add("estimated"));
        budget.acquire(80 * KB, () -> started.add("next"));
        budget.adjust(30 * KB);
        assertThat(budget.used()).isEqualTo(110 * KB);
        budget.adjust(-100 * KB);
        assertThat(started).containsExactly("estimated", "next");
        assertThat(budget.used()).isEqualTo(90 * KB);
    }

    @Test
    void givingBackMoreThanHeldIsABugNotSilentlyAccepted() {
        RangeBudget budget = new RangeBudget(100 * KB);
        budget.acquire(80 * KB, () -> { });
        assertThatThrownBy(() -> budget.release(81 * KB)).hasMessageContaining("only 81920 held");
    }

    @Test
    void theBoundMustBePositive() {
        assertThatThrownBy(() -> new RangeBudget(0)).hasMessageContaining("range budget must be positive");
        assertThat(RangeBudget.ofHeap().limit()).isGreaterThanOrEqualTo(16L << 20);
    }
}
