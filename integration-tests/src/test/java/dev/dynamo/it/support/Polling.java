package dev.dynamo.it.support;

import java.time.Duration;
import java.util.function.Supplier;

/** Waits for a condition by polling, never longer than a timeout. */
public final class Polling {
    private static final long INTERVAL_MILLIS = 50;

    private Polling() {
    }

    /**
     * Polls {@code probe} until it returns non-null, and returns that; fails with {@code whatFailed}
     * after {@code timeout}. Exceptions from the probe count as "not yet".
     */
    public static <T> T await(Duration timeout, Supplier<String> whatFailed, Supplier<T> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException lastFailure = null;
        while (true) {
            try {
                T result = probe.get();
                if (result != null) {
                    return result;
                }
            } catch (RuntimeException notYet) {
                lastFailure = notYet;
            }
            if (System.nanoTime() - deadline > 0) {
                AssertionError timedOut = new AssertionError("timed out after " + timeout.getSeconds() + " s: "
                        + whatFailed.get());
                if (lastFailure != null) {
                    timedOut.addSuppressed(lastFailure);
                }
                throw timedOut;
            }
            try {
                Thread.sleep(INTERVAL_MILLIS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting: " + whatFailed.get(), interrupted);
            }
        }
    }
}
