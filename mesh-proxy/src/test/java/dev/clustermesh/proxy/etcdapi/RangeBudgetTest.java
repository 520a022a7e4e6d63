package dev.clustermesh.proxy.etcdapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Range answers beyond the bound wait, in order; each release starts what now fits. */
class RangeBudgetTest {

    @Test
    void answersThatFitGoAtOnceTheRestWaitInOrder() {
        RangeBudget budget = new RangeBudget(100);
        List<String> started = new ArrayList<>();
        budget.acquire(60, () -> started.add("a"));
        budget.acquire(30, () -> started.add("b"));
        budget.acquire(20, () -> started.add("c"));
        budget.acquire(5, () -> started.add("d"));
        // d would fit, but c waits before it: first come, first served, so a large answer is never starved.
        assertThat(started).containsExactly("a", "b");
        assertThat(budget.used()).isEqualTo(90);
        assertThat(budget.waits()).isEqualTo(2);

        budget.release(60);
        assertThat(started).containsExactly("a", "b", "c", "d");
        assertThat(budget.used()).isEqualTo(55);
        budget.release(30);
        budget.release(20);
        budget.release(5);
        assertThat(budget.used()).isZero();
        assertThat(budget.peak()).isEqualTo(90);
    }

    @Test
    void anAnswerLargerThanTheBoundGoesAlone() {
        RangeBudget budget = new RangeBudget(100);
        List<String> started = new ArrayList<>();
        budget.acquire(10, () -> started.add("small"));
        budget.acquire(500, () -> started.add("huge"));
        budget.acquire(10, () -> started.add("after"));
        assertThat(started).containsExactly("small");
        budget.release(10);
        assertThat(started).containsExactly("small", "huge");
        budget.release(500);
        assertThat(started).containsExactly("small", "huge", "after");
    }

    @Test
    void aWaiterStartedByAReleaseMayReleaseAtOnce() {
        RangeBudget budget = new RangeBudget(10);
        List<String> started = new ArrayList<>();
        budget.acquire(10, () -> started.add("first"));
        // A cancelled call gives its bytes back as soon as it is started.
        budget.acquire(10, () -> {
            started.add("cancelled");
            budget.release(10);
        });
        budget.acquire(10, () -> started.add("third"));
        budget.release(10);
        assertThat(started).containsExactly("first", "cancelled", "third");
        assertThat(budget.used()).isEqualTo(10);
    }

    @Test
    void theBoundMustBePositive() {
        assertThatThrownBy(() -> new RangeBudget(0)).hasMessageContaining("range budget must be positive");
        assertThat(RangeBudget.ofHeap().limit()).isGreaterThanOrEqualTo(16L << 20);
    }
}
