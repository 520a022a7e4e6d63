package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.DatapathException;
import dev.clustermesh.agent.datapath.NetworkNamespace;
import dev.clustermesh.core.worker.Backoff;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One long-lived {@code nft -i} process that applies small transactions in well under a millisecond, where a
 * fresh {@code nft -f -} costs 15–20 ms on a small VM (process start, entering the namespace, cache fetch).
 * Kept, rather than a fresh process per change, because that difference is the whole one-change latency budget
 * (docs/benchmarks.md).
 *
 * <p>How it keeps nft's all-or-nothing contract: nft runs every input line as one batch, so a transaction is
 * rendered on one line ({@link NftBlock#line}; checked here: an error anywhere leaves the table untouched).
 * nft prints nothing on success, so each transaction is followed by a barrier line that is a syntax error:
 * its error message marks the end of the transaction's output, and anything printed before it is the
 * transaction's error. {@code HOME} points nowhere so that nft's line editor writes no history file. Its history
 * in memory grows with every line, and nft 1.0.6 with libedit walks it for every line it reads (to skip a
 * duplicate entry): a process that has read 6,000 lines takes 0.5 ms per transaction instead of 0.2 (most of it in
 * libedit's {@code history}). So the process is replaced once it has run {@link #MAX_TRANSACTIONS} transactions:
 * by {@link #refresh()}, which the owner calls when it is idle and which acts once no transaction has come for
 * {@link #QUIET} (a change arriving while the successor starts would wait for it), or at the latest right after
 * transaction {@code 4 × MAX_TRANSACTIONS} (or {@link #MAX_INPUT} bytes), so that a busy owner too keeps
 * transactions fast. The next transaction finds the successor started and, unless it comes within the few
 * milliseconds nft takes to start, probed.
 *
 * <p>What protects it from a changed nft: that protocol rests on three behaviours of nft 1.0.6's interactive
 * mode (a line is one batch, success is silent on stderr, an error is reported before the next line is read and
 * echoes the offending line). Each new process must first pass a probe that exercises them, read-only: a
 * command that succeeds ({@code list flowtables}) must print nothing before its barrier, and one that fails
 * ({@code list table} of a table that does not exist) must print an error before its. A process that answers the
 * probe wrongly (a changed nft), or an nft that cannot be started, marks the session {@link #refused() refused}
 * for good, as does one that stays silent past the probe timeout; one that exits during its probe (killed, out of
 * memory) refuses it only until a retry after a backoff (10 s doubling to 10 min). While refused, {@link #apply} throws
 * before sending anything, and the datapath applies through {@link NftFileRunner} instead. The probe is written right after the start and awaited by the first
 * transaction, so starting the process still costs a full sync nothing.
 *
 * <p>Not thread-safe; the datapath calls it from the reconciler thread only.
 */
final class NftSession implements NftRunner {
    static final long MAX_INPUT = 1 << 20;
    static final int MAX_TRANSACTIONS = 256;
    static final Duration QUIET = Duration.ofMillis(100);
    /** Read-only; nft 1.0.6 answers "No such file or directory". */
    private static final String FAILING_PROBE = "list table inet clustermesh_probe_absent";
    private final NetworkNamespace netns;
    private final List<String> command;
    private final Duration timeout;
    private final Duration probeTimeout;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition output = lock.newCondition();
    private final StringBuilder stderr = new StringBuilder();
    private boolean eof;
    private volatile Process process;
    private OutputStream stdin;
    private long written;
    /** Transactions sent to the current process. */
    private int sent;
    private long lastSentAt;
    private long seq;
    private boolean probePending;
    /** The current process was seen to end on its own (its output closed, or it could not be written to). */
    private boolean processEnded;
    /** Why the session is refused for good (a changed nft); null while it is not. */
    private String refused;
    /** Why the last process failed its probe without answering wrongly; null when none did since the last pass. */
    private String unavailable;
    private long retryAt;
    private final Backoff retry;

    /**
     * A session of {@code command} (nft's interactive mode, run in {@code netns}).
     *
     * @param timeout how long a transaction may take
     * @param probeTimeout how long a new process may take to answer its probe
     */
    NftSession(NetworkNamespace netns, List<String> command, Duration timeout, Duration probeTimeout, Backoff retry) {
        this.netns = netns;
        this.command = List.copyOf(command);
        this.timeout = timeout;
        this.probeTimeout = probeTimeout;
        this.retry = retry;
    }

    /** {@code nft -i} in {@code netns}. */
    static NftSession interactive(NetworkNamespace netns, Duration timeout) {
        return new NftSession(netns, List.of("nft", "-i"), timeout, Duration.ofSeconds(10),
                new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(10), 2, 0.2));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Also throws, before sending anything, when a new process failed its probe: then {@link #refused()} is
     * true, for good or until the next retry.
     */
    @Override
    public void apply(NftTransaction tx) {
        tx.ops();
        if (tx.isEmpty()) {
            return;
        }
        String line = NftBlock.line(tx);
        if (line.indexOf('\n') >= 0 || line.endsWith("\\")) {
            throw new IllegalArgumentException("a transaction must fit on one line");
        }
        prestart();
        awaitProbe();
        String error = send(line, timeout);
        lastSentAt = System.nanoTime();
        if (++sent >= 4 * MAX_TRANSACTIONS || written > MAX_INPUT) {
            restart();
        }
        if (!error.isBlank()) {
            throw new DatapathException("nft in " + netns + " refused the transaction: " + error.strip(), null);
        }
    }

    /** Lists through a process of its own: the session's standard output is not read. */
    @Override
    public String list(List<String> what) {
        return NftFileRunner.list(netns, what, timeout);
    }

    /**
     * Replaces the process when it has run {@link #MAX_TRANSACTIONS} transactions and none has come for
     * {@link #QUIET} (see the class description); takes the start of a process (milliseconds), so it is for moments
     * when no transaction waits.
     */
    void refresh() {
        if (process != null && sent >= MAX_TRANSACTIONS && System.nanoTime() - lastSentAt > QUIET.toNanos()
                && !refused()) {
            restart();
        }
    }

    /**
     * Whether the session refuses every transaction now: for good when a process answered its probe wrongly,
     * until the next retry when one exited or did not answer.
     */
    boolean refused() {
        return refused != null || waitingForRetry();
    }

    private boolean waitingForRetry() {
        return unavailable != null && System.nanoTime() - retryAt < 0;
    }

    /**
     * Starts the process now if none runs, without waiting for it: the next transaction then does not pay for
     * the start (tens of milliseconds). Does nothing while {@link #refused()}.
     */
    void prestart() {
        if (!refused() && (process == null || !process.isAlive() || written > MAX_INPUT)) {
            restart();
        }
    }

    private void awaitProbe() {
        if (refused != null) {
            throw new DatapathException("nft session in " + netns + " not used: " + refused, null);
        }
        if (waitingForRetry()) {
            throw new DatapathException("nft session in " + netns + " not used until its next start: " + unavailable,
                    null);
        }
        if (!probePending) {
            return;
        }
        probePending = false;
        if (processEnded) {
            unavailable(command.get(0) + " exited before its start-up probe could be written");
        }
        String problem;
        try {
            String success = awaitBarrier(barrier(seq - 1), probeTimeout);
            String failure = awaitBarrier(barrier(seq), probeTimeout);
            problem = !success.isBlank() ? "'list flowtables' printed " + success.strip()
                    : !failure.contains("Error") ? "a failing command printed no error before the next line" : null;
        } catch (DatapathException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw e;
            }
            if (exited()) {
                unavailable(command.get(0) + " exited during its start-up probe: " + e.getMessage());
            }
            // Alive but silent: more likely an nft whose interactive mode changed than a slow machine.
            problem = e.getMessage();
        }
        if (problem != null) {
            refused = command.get(0) + " failed its start-up probe: " + problem;
            close();
            throw new DatapathException("nft session in " + netns + " not used: " + refused, null);
        }
        unavailable = null;
        retry.reset();
    }

    private boolean exited() {
        return processEnded;
    }

    /** The process exited: no session until the retry, then a new process is probed. */
    private void unavailable(String why) {
        unavailable = why;
        retryAt = System.nanoTime() + retry.next().toNanos();
        close();
        throw new DatapathException("nft session in " + netns + " not used until its next start: " + why, null);
    }

    /** Writes {@code line} and a barrier; returns what nft printed before the barrier's error. */
    private String send(String line, Duration wait) {
        write(line + "\n" + barrier(++seq) + "\n");
        return awaitBarrier(barrier(seq), wait);
    }

    private void write(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try {
            stdin.write(bytes);
            stdin.flush();
            written += bytes.length;
        } catch (IOException e) {
            close();
            throw new DatapathException("nft session in " + netns + ": cannot write: " + e.getMessage(), e);
        }
    }

    private static String barrier(long n) {
        return "cmsync_barrier_" + n;
    }

    /** Waits for the barrier's error message; returns what nft printed before it. */
    private String awaitBarrier(String barrier, Duration wait) {
        String marker = "\n" + barrier + "\n";
        long deadline = System.nanoTime() + wait.toNanos();
        lock.lock();
        try {
            while (true) {
                int at = stderr.indexOf(marker);
                int end = at < 0 ? -1 : stderr.indexOf("\n", at + marker.length());
                if (end >= 0) {
                    // The barrier's own message starts on the line before the barrier line.
                    String before = stderr.substring(0, stderr.lastIndexOf("\n", at - 1) + 1);
                    stderr.delete(0, end + 1);
                    return before;
                }
                long left = deadline - System.nanoTime();
                if (eof || left <= 0) {
                    processEnded |= eof;
                    String seen = stderr.toString();
                    close();
                    throw new DatapathException("nft session in " + netns + (eof ? " exited" : " gave no answer within "
                            + wait) + (seen.isBlank() ? "" : ": " + seen.strip()), null);
                }
                output.await(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new DatapathException("interrupted while waiting for nft", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts a process and writes its probe; a failure to do so refuses the session like a failed probe, unless a
     * working process is there to be replaced (after its share of transactions): that one then goes on, and the
     * start is tried again after another share.
     */
    private void restart() {
        ProcessBuilder pb = new ProcessBuilder(netns.command(command))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("HOME", "/nonexistent/clustermesh");
        Process next;
        try {
            next = pb.start();
        } catch (IOException e) {
            if (process != null && process.isAlive() && !processEnded && !probePending) {
                sent = 0;
                return;
            }
            end(false);
            refused = "cannot start " + String.join(" ", command) + ": " + e.getMessage();
            return;
        }
        end(false);
        process = next;
        stdin = process.getOutputStream();
        written = 0;
        sent = 0;
        processEnded = false;
        lock.lock();
        try {
            stderr.setLength(0);
            eof = false;
        } finally {
            lock.unlock();
        }
        Process p = process;
        Thread pump = new Thread(() -> pump(p), "nft-session-stderr");
        pump.setDaemon(true);
        pump.start();
        seq += 2;
        probePending = true;
        try {
            write("list flowtables\n" + barrier(seq - 1) + "\n" + FAILING_PROBE + "\n" + barrier(seq) + "\n");
        } catch (DatapathException e) {
            // The process is gone already; the probe's wait reports it.
            processEnded = true;
        }
    }

    private void pump(Process p) {
        byte[] buf = new byte[8192];
        try (InputStream in = p.getErrorStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                append(p, new String(buf, 0, n, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // The process is gone; the waiter sees eof below.
        }
        lock.lock();
        try {
            if (p == process) {
                eof = true;
                output.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private void append(Process p, String text) {
        lock.lock();
        try {
            if (p == process) {
                stderr.append(text);
                if (text.endsWith("\n")) {
                    // nft writes an error in pieces (five for a barrier's); what a waiter looks for ends a line.
                    output.signalAll();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops the process; the next transaction starts a new one. */
    @Override
    public void close() {
        end(true);
    }

    /**
     * Ends the current process: its input is closed, which makes nft exit; one still running a second later is
     * killed. {@code await}: waits for that here, else the process ends on its own (a replaced one, idle).
     */
    private void end(boolean await) {
        Process p = process;
        process = null;
        if (p == null) {
            return;
        }
        try {
            stdin.close();
        } catch (IOException e) {
            // Ending it anyway.
        }
        if (!await) {
            p.onExit().orTimeout(1, TimeUnit.SECONDS).whenComplete((done, late) -> {
                if (late != null) {
                    p.destroyForcibly();
                }
            });
            return;
        }
        try {
            if (!p.waitFor(1, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }
}
