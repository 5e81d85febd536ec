package dev.dynamo.runtime.internal;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Application code that runs before a scrape: an update callback, or the supplier of a callback
 * metric. {@link ScrapeCallbacks} runs it off the scrape thread with a deadline; while a run is
 * late or after it failed, the callback's own series are left out of the page and nothing else is.
 */
abstract class ScrapeCallback {
    private final List<String> hierarchy;
    private final String description;
    private static final int IDLE = 0;
    /** Handed to the callback threads, not yet running on one. */
    private static final int QUEUED = 1;
    private static final int EXECUTING = 2;

    private final AtomicInteger state = new AtomicInteger(IDLE);
    /** When the current run began executing ({@code System.nanoTime()}); written before the state says so. */
    private volatile long executingSince;
    private final AtomicBoolean failureReported = new AtomicBoolean();
    private volatile boolean lastRunSucceeded;

    /**
     * @param hierarchy   the place it was registered at
     * @param description what it is, for the one warning about its failure
     */
    ScrapeCallback(List<String> hierarchy, String description) {
        this.hierarchy = hierarchy;
        this.description = description;
    }

    /** What the page shows while the callback fails or is late, for messages. */
    String whileUnavailable() {
        return "its series are left out of the scrape";
    }

    /** Calls the application's code and keeps what it gave; throws what that code threw. */
    abstract void refresh() throws Exception;

    boolean isAtOrBelow(List<String> place) {
        return hierarchy.size() >= place.size() && hierarchy.subList(0, place.size()).equals(place);
    }

    /** Marks a run as started (queued); false while an earlier run has not returned (it is not started twice). */
    boolean tryStart() {
        return state.compareAndSet(IDLE, QUEUED);
    }

    /** One run, on a callback thread; never throws. */
    void runStarted() {
        executingSince = System.nanoTime();
        state.set(EXECUTING);
        try {
            refresh();
            lastRunSucceeded = true;
        } catch (Throwable failed) {
            lastRunSucceeded = false;
            report(description + " failed; " + whileUnavailable() + " until it succeeds: " + failed);
        } finally {
            state.set(IDLE);
        }
    }

    /** Whether a run was started and has not returned: queued or executing. */
    boolean isRunning() {
        return state.get() != IDLE;
    }

    /** Whether a run is executing on a callback thread (and so holds it) and has not returned. */
    boolean isExecuting() {
        return state.get() == EXECUTING;
    }

    /** Whether a run has been executing for at least {@code nanos} and has not returned. */
    boolean isExecutingFor(long nanos) {
        return state.get() == EXECUTING && System.nanoTime() - executingSince >= nanos;
    }

    /** Whether a run is waiting for a callback thread. */
    boolean isQueued() {
        return state.get() == QUEUED;
    }

    /** Gives up a run that could not be started. */
    void abandon() {
        state.compareAndSet(QUEUED, IDLE);
    }

    /** Whether the last run returned normally and no run is late: its values may be exposed. */
    boolean hasFreshValue() {
        return lastRunSucceeded && state.get() == IDLE;
    }

    String description() {
        return description;
    }

    /** Says once what went wrong with this callback; later failures are logged at debug. */
    void report(String message) {
        if (failureReported.compareAndSet(false, true)) {
            ApiLog.warn(message + "; further problems of this callback are logged at debug level");
        } else {
            ApiLog.debug(message);
        }
    }
}
