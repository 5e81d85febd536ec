package dev.dynamo.agent.internal.server;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs the checks {@link Access#afterCheck} defers (bcrypt: tens to hundreds of milliseconds each,
 * by design) on one thread of their own, never on the selector thread, which must keep answering
 * {@code /live} and the scrapes whose credentials are remembered.
 *
 * <p>Bounded twice: at most {@link #MAX_QUEUED} checks wait (the server answers 503 beyond that),
 * and the thread spends on average at most {@link #BUSY_MILLIS_PER_SECOND} of each second checking
 * (after a burst of {@link #BURST_MILLIS}), pausing between checks when it has used more. A flood
 * of wrong passwords therefore costs the host at most a quarter of one core, however slow the
 * machine or the hash's cost factor.
 */
final class CredentialChecks {
    static final int MAX_QUEUED = 16;
    static final long BUSY_MILLIS_PER_SECOND = 250;
    static final long BURST_MILLIS = 500;
    private static final long BURST_NANOS = TimeUnit.MILLISECONDS.toNanos(BURST_MILLIS);

    /** One thread, a queue of {@link #MAX_QUEUED}, rejecting beyond. */
    private final ThreadPoolExecutor thread;
    /** Checking time that may be spent before pausing; touched by the checking thread only. */
    private long creditNanos = BURST_NANOS;
    private long refilledAt = System.nanoTime();

    CredentialChecks(ThreadPoolExecutor thread) {
        this.thread = thread;
    }

    /** Queues {@code check}; false when {@link #MAX_QUEUED} checks wait already or the server is stopping. */
    boolean submit(Runnable check) {
        try {
            thread.execute(() -> paced(check));
            return true;
        } catch (RejectedExecutionException full) {
            return false;
        }
    }

    void stop() {
        thread.shutdownNow();
    }

    private void paced(Runnable check) {
        refill();
        if (creditNanos < 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(-creditNanos / BUSY_MILLIS_PER_SECOND * 1000);
            } catch (InterruptedException stopping) {
                // The server stops; the check still runs, so that its connection is handed back.
                Thread.currentThread().interrupt();
            }
            refill();
        }
        long start = System.nanoTime();
        try {
            check.run();
        } finally {
            creditNanos -= System.nanoTime() - start;
        }
    }

    private void refill() {
        long now = System.nanoTime();
        // Capped first: a long idle time only ever refills the burst, and must not overflow.
        long idle = Math.min(now - refilledAt, BURST_NANOS * 1000 / BUSY_MILLIS_PER_SECOND);
        long earned = idle * BUSY_MILLIS_PER_SECOND / 1000;
        creditNanos = Math.min(BURST_NANOS, creditNanos + earned);
        refilledAt = now;
    }
}
