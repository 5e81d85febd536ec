package dev.dynamo.runtime.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the {@link ScrapeCallback}s of a store before a scrape, concurrently on daemon threads, and
 * waits for them at most {@link #DEADLINE_MILLIS}. The pool has a thread for each callback to run
 * (at least {@link #BASE_THREADS}) besides those held by callbacks that have not returned, up to
 * {@link #MAX_THREADS} in all: callbacks that each return in time are on the page together, and a
 * hung one holds one thread and no more, as it is not started again while it runs. Where more
 * callbacks wait than the threads finish within the deadline, those left without a thread, or
 * started too late, go first at the next scrape, so that the same ones do not miss every scrape.
 * A scrape made from one of the callbacks (its own page, on its own thread) runs none of them: it
 * would wait for the callback that asked.
 */
final class ScrapeCallbacks {
    /** How long a scrape waits for its callbacks; late ones miss that scrape. */
    static final long DEADLINE_MILLIS = 500;
    private static final long DEADLINE_NANOS = TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS);
    /** Whether the callbacks' class loader was found stopped: said once. */
    private static volatile boolean reportedStoppedLoader;
    /** The threads the pool keeps at least, besides those held by callbacks that have not returned. */
    static final int BASE_THREADS = 2;
    /**
     * How long an idle thread waits for the next scrape's callbacks, in the agent's copy of the API (in the
     * bootstrap class loader): a new thread per scrape costs well under a millisecond, but is not made
     * for nothing when scrapes come a few seconds apart.
     */
    static final long PRIMARY_IDLE_MILLIS = 5000;
    /**
     * The same in any other copy: one a child-first class loader loaded (a web application's own), whose
     * pool threads keep that loader alive while they run, and so the application's classes after it is
     * undeployed. Ending right after the scrape's callbacks, they leave nothing of it reachable between
     * scrapes. Before, with scrapes less than their idle time apart they never ended, and every
     * undeployed application's loader was kept until the heap ran out (a re-tester's Tomcat and Jetty:
     * 30 of 30 kept, with scrapes every 2 s).
     */
    static final long COPY_IDLE_MILLIS = 100;
    static final int MAX_THREADS = 16;

    private static final Comparator<ScrapeCallback> MOST_CROWDED_OUT_FIRST = new Comparator<ScrapeCallback>() {
        @Override
        public int compare(ScrapeCallback one, ScrapeCallback other) {
            return Integer.compare(other.crowdedOutScrapes(), one.crowdedOutScrapes());
        }
    };

    private final List<ScrapeCallback> callbacks = new CopyOnWriteArrayList<ScrapeCallback>();
    /** Notified whenever a run returns. */
    private final Object runReturned = new Object();
    private final AtomicBoolean poolFullReported = new AtomicBoolean();
    private final AtomicBoolean crowdedOutReported = new AtomicBoolean();
    private final DaemonThreads threads = new DaemonThreads("dynamo-metrics-callback-");
    private volatile ThreadPoolExecutor executor;

    /**
     * Adds {@code callback}. An update callback replaces those a redeployed application's earlier
     * deployment added at the same place ({@link ScrapeCallback#isSameCallbackRedeployedAs}): they
     * would set the same metrics with stale values, and keep that deployment's class loader alive.
     */
    void add(ScrapeCallback callback) {
        if (callback instanceof UpdateCallback) {
            for (ScrapeCallback earlier : callbacks) {
                if (earlier instanceof UpdateCallback && earlier.isSameCallbackRedeployedAs(callback)) {
                    callbacks.remove(earlier);
                    ApiLog.debug(earlier.description() + " is replaced by the same callback of another class loader"
                            + " (a redeployed application)");
                }
            }
        }
        callbacks.add(callback);
    }

    /** Ends the threads of this store's callbacks once they are idle: for a store that is done with. */
    void stopThreads() {
        ThreadPoolExecutor pool = executor;
        if (pool != null) {
            pool.shutdown();
        }
    }

    /** Runs the callbacks registered at {@code place} or below; returns when they are done or late. */
    void run(List<String> place) {
        if (callbacks.isEmpty() || threads.madeCurrentThread()) {
            // None, or a scrape from a callback's own code: the others' last values are on its page.
            return;
        }
        List<ScrapeCallback> toRun = new ArrayList<ScrapeCallback>();
        boolean anyCrowdedOut = false;
        // Started now, or started by an earlier scrape less than a deadline ago: this scrape waits for
        // them. Those executing for longer are late, and miss this one.
        List<ScrapeCallback> awaited = new ArrayList<ScrapeCallback>();
        for (ScrapeCallback callback : callbacks) {
            if (!callback.isAtOrBelow(place)) {
                continue;
            }
            if (callback.tryStart()) {
                toRun.add(callback);
                awaited.add(callback);
                anyCrowdedOut |= callback.crowdedOutScrapes() > 0;
            } else if (callback.isExecutingFor(DEADLINE_NANOS)) {
                // Started by an earlier scrape and not returned within a deadline since: late, and not
                // waited for (a hung callback delays one scrape only).
                reportLate(callback);
            } else if (callback.isRunning()) {
                // Queued by an earlier scrape, or began executing less than a deadline ago (after
                // waiting for a thread): waited for, like those started now.
                awaited.add(callback);
            }
        }
        if (awaited.isEmpty()) {
            return;
        }
        if (anyCrowdedOut) {
            // Those that waited for a thread in vain at the most scrapes go first (a stable sort: else in order).
            Collections.sort(toRun, MOST_CROWDED_OUT_FIRST);
        }
        ThreadPoolExecutor pool;
        try {
            pool = executor();
            for (ScrapeCallback callback : toRun) {
                try {
                    pool.execute(() -> {
                        try {
                            callback.runStarted();
                        } finally {
                            synchronized (runReturned) {
                                runReturned.notifyAll();
                            }
                        }
                    });
                } catch (RejectedExecutionException notAccepted) {
                    callback.abandon();
                }
            }
        } catch (LinkageError stoppedLoader) {
            // This copy's class loader loads no more classes (its application stopped right after it began,
            // before the callbacks' classes were loaded), and their threads need some. The callbacks give
            // nothing new; the scrape goes on with the other metrics, which a re-tester's soak lost with them.
            for (ScrapeCallback callback : toRun) {
                callback.abandon();
            }
            if (!reportedStoppedLoader) {
                reportedStoppedLoader = true;
                ApiLog.warn("the metric callbacks of the dynamo API loaded by "
                        + ApiLog.loaderName(ScrapeCallbacks.class.getClassLoader()) + " cannot run: its class loader"
                        + " loads no more classes (" + stoppedLoader + "); their metrics keep the values they last"
                        + " gave, and the others are collected as before");
            }
            return;
        }
        if (awaitAll(awaited)) {
            for (ScrapeCallback callback : awaited) {
                callback.markInTime();
            }
            return;
        }
        // Those that executed for the whole deadline are late; the others waited for a thread, all or part of it.
        List<ScrapeCallback> late = new ArrayList<ScrapeCallback>();
        int crowdedOut = 0;
        for (ScrapeCallback callback : awaited) {
            if (callback.isExecutingFor(DEADLINE_NANOS)) {
                late.add(callback);
            } else if (callback.isRunning()) {
                callback.markCrowdedOut();
                crowdedOut++;
            } else {
                callback.markInTime();
            }
        }
        // The late ones hold their threads: the queued ones get threads of their own.
        int stuck = resize(pool);
        for (ScrapeCallback callback : late) {
            reportLate(callback);
        }
        if (crowdedOut > 0) {
            String message = crowdedOut + " of the " + awaited.size() + " metric callbacks of a scrape had not returned"
                    + " within " + DEADLINE_MILLIS + " ms although they had not run that long: they waited for one of"
                    + " at most " + MAX_THREADS + " callback threads" + (stuck > 0 ? ", " + stuck + " of them held by"
                    + " callbacks that have not returned," : "") + " and their series miss this scrape (they go first"
                    + " at the next). The callbacks take longer together than the threads finish within the scrape's"
                    + " deadline; make them quicker, or set these metrics from the application's own threads";
            if (crowdedOutReported.compareAndSet(false, true)) {
                ApiLog.warn(message + "; further scrapes like this are logged at debug level");
            } else {
                ApiLog.debug(message);
            }
        }
    }

    private static void reportLate(ScrapeCallback callback) {
        callback.report(callback.description() + " did not return within " + DEADLINE_MILLIS
                + " ms; " + callback.whileUnavailable() + " until it returns");
    }

    /** Waits until none of {@code awaited} is running, at most {@link #DEADLINE_MILLIS}; true if none is. */
    private boolean awaitAll(List<ScrapeCallback> awaited) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS);
        synchronized (runReturned) {
            while (anyRunning(awaited)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(runReturned, left);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean anyRunning(List<ScrapeCallback> callbacks) {
        for (ScrapeCallback callback : callbacks) {
            if (callback.isRunning()) {
                return true;
            }
        }
        return false;
    }

    private ThreadPoolExecutor executor() {
        ThreadPoolExecutor pool = executor;
        if (pool == null) {
            synchronized (this) {
                pool = executor;
                if (pool == null) {
                    long idleMillis = ScrapeCallbacks.class.getClassLoader() == null ? PRIMARY_IDLE_MILLIS : COPY_IDLE_MILLIS;
                    pool = new ThreadPoolExecutor(BASE_THREADS, BASE_THREADS, idleMillis, TimeUnit.MILLISECONDS,
                            new LinkedBlockingQueue<Runnable>(), threads);
                    pool.allowCoreThreadTimeOut(true);
                    executor = pool;
                }
            }
        }
        resize(pool);
        return pool;
    }

    /**
     * Sizes the pool to a thread for each callback waiting for one (at least {@link #BASE_THREADS})
     * besides those executing now, up to {@link #MAX_THREADS}; returns how many have been executing for a
     * deadline or longer (late or hung). A larger core size starts threads for the queued runs at once;
     * idle threads end after {@link #PRIMARY_IDLE_MILLIS} or {@link #COPY_IDLE_MILLIS}.
     */
    private int resize(ThreadPoolExecutor pool) {
        int executing = 0;
        int late = 0;
        int queued = 0;
        for (ScrapeCallback callback : callbacks) {
            if (callback.isExecuting()) {
                executing++;
                if (callback.isExecutingFor(DEADLINE_NANOS)) {
                    late++;
                }
            } else if (callback.isQueued()) {
                queued++;
            }
        }
        int wanted = Math.min(MAX_THREADS, executing + Math.max(BASE_THREADS, queued));
        synchronized (this) {
            if (wanted > pool.getMaximumPoolSize()) {
                pool.setMaximumPoolSize(wanted);
                pool.setCorePoolSize(wanted);
            } else if (wanted < pool.getMaximumPoolSize()) {
                pool.setCorePoolSize(wanted);
                pool.setMaximumPoolSize(wanted);
            }
        }
        if (late >= MAX_THREADS && poolFullReported.compareAndSet(false, true)) {
            ApiLog.warn("all " + MAX_THREADS + " metric callback threads are held by callbacks that have not"
                    + " returned; the other callbacks wait until one returns, and their series are left out meanwhile");
        }
        return late;
    }
}
