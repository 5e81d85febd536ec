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
     * How long an idle thread waits for more callbacks: they end right after each scrape's, so that nothing the
     * application's code left on them outlives it. A copy that a child-first class loader loaded (a web
     * application's own) keeps that loader alive through its threads; and in any copy the application's code
     * may leave a {@code ThreadLocal} of its own classes on the thread that ran it (a buffer cache, a logging
     * context). Before, idle for 5 s, they never ended with scrapes less than that apart, and every undeployed
     * application's class loader was kept until the heap ran out (re-testers' Tomcat and Jetty: 30 of 30 kept
     * with scrapes every 2 s; 11 of 11 where a callback set a {@code ThreadLocal}). A new thread costs well
     * under a millisecond.
     */
    static final long IDLE_MILLIS = 100;
    static final int MAX_THREADS = 16;

    /**
     * A callback that began executing within the first half of the scrape's deadline had time enough: one still
     * running at the deadline is late (slow), not crowded out.
     */
    private static final long WHOLE_DEADLINE_SLACK_NANOS = DEADLINE_NANOS / 2;
    /**
     * The order of a scrape's callbacks after one where some waited for a thread in vain: those that did so at
     * the most scrapes in a row first, then the quickest by their last run, so that as many as the threads allow
     * return in time, and slow ones do not hold every thread while quick ones wait (a re-tester: 16 callbacks of
     * 700 ms, registered first, kept 8 instant ones off 18 of 20 pages).
     */
    private static final Comparator<ScrapeCallback> CROWDED_OUT_THEN_QUICKEST_FIRST = new Comparator<ScrapeCallback>() {
        @Override
        public int compare(ScrapeCallback one, ScrapeCallback other) {
            int crowdedOut = Integer.compare(other.crowdedOutScrapes(), one.crowdedOutScrapes());
            return crowdedOut != 0 ? crowdedOut : Long.compare(one.lastRunNanos(), other.lastRunNanos());
        }
    };

    private final List<ScrapeCallback> callbacks = new CopyOnWriteArrayList<ScrapeCallback>();
    /** Notified whenever a run returns. */
    private final Object runReturned = new Object();
    private final AtomicBoolean poolFullReported = new AtomicBoolean();
    private final AtomicBoolean crowdedOutReported = new AtomicBoolean();
    /** Whether the last scrape's deadline found callbacks still waiting for a thread or late: order matters then. */
    private volatile boolean contended;
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
        long scrapeStart = System.nanoTime();
        List<ScrapeCallback> toRun = new ArrayList<ScrapeCallback>();
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
        if (contended) {
            Collections.sort(toRun, CROWDED_OUT_THEN_QUICKEST_FIRST);
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
            if (contended) {
                for (ScrapeCallback callback : awaited) {
                    callback.markNotCrowdedOut();
                }
                contended = false;
            }
            return;
        }
        contended = true;
        // Those that had a thread within the first half of the deadline (or since an earlier scrape) are late; the
        // others waited for one for most of it.
        List<ScrapeCallback> late = new ArrayList<ScrapeCallback>();
        int crowdedOut = 0;
        for (ScrapeCallback callback : awaited) {
            if (callback.isExecutingSinceBefore(scrapeStart + WHOLE_DEADLINE_SLACK_NANOS)) {
                late.add(callback);
                callback.markNotCrowdedOut();
            } else if (callback.isRunning()) {
                callback.markCrowdedOut();
                crowdedOut++;
            } else {
                callback.markNotCrowdedOut();
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
                    pool = new ThreadPoolExecutor(BASE_THREADS, BASE_THREADS, IDLE_MILLIS, TimeUnit.MILLISECONDS,
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
     * idle threads end after {@link #IDLE_MILLIS}.
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
        ThreadPools.resize(pool, Math.min(MAX_THREADS, executing + Math.max(BASE_THREADS, queued)));
        if (late >= MAX_THREADS && poolFullReported.compareAndSet(false, true)) {
            ApiLog.warn("all " + MAX_THREADS + " metric callback threads are held by callbacks that have not"
                    + " returned; the other callbacks wait until one returns, and their series are left out meanwhile");
        }
        return late;
    }
}
