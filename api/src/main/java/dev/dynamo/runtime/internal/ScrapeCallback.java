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
     * How many scrapes in a row ended while this callback waited for a thread, or had one too late to
     * return in time: those that missed the most go first. Written by the scrape threads only.
     */
    private volatile int crowdedOutScrapes;
    /** How long its last run took; 0 before the first. */
    private volatile long lastRunNanos;

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

    /** The application's object that {@link #refresh} calls: a {@code Runnable} or a supplier. */
    abstract Object code();

    /**
     * Whether {@code newer}'s code comes from another class loader than this one's: given again by
     * a redeployed application, whose earlier deployment shared this copy of the API (it is on a
     * parent class loader, or the agent's). Its code replaces this one's, so that the earlier
     * deployment's class loader is not kept alive by it, and runs no more.
     */
    final boolean isRedeployedAs(ScrapeCallback newer) {
        return code().getClass().getClassLoader() != newer.code().getClass().getClassLoader();
    }

    /**
     * {@link #isRedeployedAs}, and at the same place, written in a class of the same name: the same
     * update callback of a redeployed application. Another update callback of the same application
     * at that place is not replaced by it.
     */
    final boolean isSameCallbackRedeployedAs(ScrapeCallback newer) {
        return isRedeployedAs(newer) && hierarchy.equals(newer.hierarchy)
                && writtenIn(code().getClass()).equals(writtenIn(newer.code().getClass()));
    }

    /** The class a callback was written in: a lambda's class is named after it, plus a suffix of its own. */
    private static String writtenIn(Class<?> type) {
        String name = type.getName();
        int lambda = name.indexOf("$$Lambda");
        return lambda > 0 ? name.substring(0, lambda) : name;
    }

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
        // The application's code runs with its own class loader as the context class loader (a ServiceLoader, a
        // JDBC driver), which the pool thread forgets again afterwards (see DaemonThreads).
        Thread current = Thread.currentThread();
        try {
            setContextClassLoader(current, codeLoader());
            refresh();
            lastRunSucceeded = true;
        } catch (Throwable failed) {
            lastRunSucceeded = false;
            report(description + " failed; " + whileUnavailable() + " until it succeeds: " + ApplicationText.of(failed));
        } finally {
            setContextClassLoader(current, null);
            lastRunNanos = System.nanoTime() - executingSince;
            state.set(IDLE);
        }
    }

    /** The class loader of the application's code; null where a security manager does not tell this copy's code. */
    private ClassLoader codeLoader() {
        try {
            return code().getClass().getClassLoader();
        } catch (SecurityException refused) {
            return null;
        }
    }

    private static void setContextClassLoader(Thread thread, ClassLoader loader) {
        try {
            thread.setContextClassLoader(loader);
        } catch (SecurityException refused) {
            // A security manager that does not grant it to this copy's code: the thread keeps the one it has.
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

    /** Notes that a scrape ended while this callback waited for a thread, or had it too late to return in time. */
    void markCrowdedOut() {
        crowdedOutScrapes++;
    }

    /** Notes that a scrape that waited for this callback had its value in time, or gave it the whole deadline. */
    void markNotCrowdedOut() {
        crowdedOutScrapes = 0;
    }

    /** How many scrapes in a row ended while this callback waited for a thread. */
    int crowdedOutScrapes() {
        return crowdedOutScrapes;
    }

    /** How long its last run took; 0 before the first. */
    long lastRunNanos() {
        return lastRunNanos;
    }

    /** Whether a run is executing and began before {@code nanoTime} ({@code System.nanoTime()}). */
    boolean isExecutingSinceBefore(long nanoTime) {
        return state.get() == EXECUTING && executingSince - nanoTime <= 0;
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
