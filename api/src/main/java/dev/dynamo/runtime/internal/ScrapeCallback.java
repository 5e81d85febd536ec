package dev.dynamo.runtime.internal;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Application code that runs before a scrape: an update callback, or the supplier of a callback
 * metric. {@link ScrapeCallbacks} runs it off the scrape thread with a deadline; while a run is
 * late or after it failed, the callback's own series are left out of the page and nothing else is.
 */
abstract class ScrapeCallback {
    private final List<String> hierarchy;
    private final String description;
    private final AtomicBoolean running = new AtomicBoolean();
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

    /** Calls the application's code and keeps what it gave; throws what that code threw. */
    abstract void refresh() throws Exception;

    boolean isAtOrBelow(List<String> place) {
        return hierarchy.size() >= place.size() && hierarchy.subList(0, place.size()).equals(place);
    }

    /** Marks a run as started; false while an earlier run has not returned (it is not started twice). */
    boolean tryStart() {
        return running.compareAndSet(false, true);
    }

    /** One run, on a callback thread; never throws. */
    void runStarted() {
        try {
            refresh();
            lastRunSucceeded = true;
        } catch (Throwable failed) {
            lastRunSucceeded = false;
            report(description + " failed; its series are left out of the scrape until it succeeds: " + failed);
        } finally {
            running.set(false);
        }
    }

    boolean isRunning() {
        return running.get();
    }

    /** Gives up a run that could not be started. */
    void abandon() {
        running.set(false);
    }

    /** Whether the last run returned normally and no run is late: its values may be exposed. */
    boolean hasFreshValue() {
        return lastRunSucceeded && !running.get();
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
