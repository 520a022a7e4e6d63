package dev.clustermesh.agent.datapath.nftables;

/** {@link NftRunner}'s contract, kept by the in-memory fake. */
class FakeNftRunnerTest extends NftRunnerContract {
    private final FakeNftRunner runner = new FakeNftRunner();

    @Override
    protected NftRunner runner() {
        return runner;
    }

    @Override
    protected void removeTable() {
        // A new fake for every test.
    }
}
