package dev.dynamo.runtime.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the {@link ScrapeCallback}s of a store before a scrape, concurrently on a few daemon
 * threads, and waits for them at most {@link #DEADLINE_MILLIS}. A callback still running from an
 * earlier scrape is not started again, so a hung callback holds one thread and no more. The pool
 * has {@link #BASE_THREADS} threads besides those held by callbacks that have not returned, up to
 * {@link #MAX_THREADS} in all, so that the others keep theirs: a callback queued behind hung ones
 * gets a thread once the scrapes have seen those hang: the next scrape behind two or three, a few
 * scrapes later behind many (each finds as many new hung ones as it had threads to start them on).
 */
final class ScrapeCallbacks {
    /** How long a scrape waits for its callbacks; late ones miss that scrape. */
    static final long DEADLINE_MILLIS = 500;
    private static final long DEADLINE_NANOS = TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS);
    /** Whether the callbacks' class loader was found stopped: said once. */
    private static volatile boolean reportedStoppedLoader;
    static final int BASE_THREADS = 2;
    /**
     * How long an idle thread waits for the next scrape's callbacks. Short: in the copy of a
     * child-first class loader (a web application's), the pool's threads hold that loader (through
     * their thread factory), and the scrapes that keep them busy keep the copy and the loader alive
     * after the application is undeployed. Ending between scrapes (intervals of 10 s and more), they
     * let it go; a new thread per scrape costs well under a millisecond.
     */
    static final int IDLE_SECONDS = 5;
    static final int MAX_THREADS = 16;

    private final List<ScrapeCallback> callbacks = new CopyOnWriteArrayList<ScrapeCallback>();
    /** Notified whenever a run returns. */
    private final Object runReturned = new Object();
    private final AtomicBoolean poolFullReported = new AtomicBoolean();
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
        if (callbacks.isEmpty()) {
            return;
        }
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
            return;
        }
        // Those executing now had the whole wait; those queued had no thread yet.
        List<ScrapeCallback> late = new ArrayList<ScrapeCallback>();
        int queued = 0;
        for (ScrapeCallback callback : awaited) {
            if (callback.isExecuting()) {
                late.add(callback);
            } else if (callback.isQueued()) {
                queued++;
            }
        }
        // The late ones hold their threads: give the queued ones threads of their own.
        int stuck = resize(pool);
        for (ScrapeCallback callback : late) {
            reportLate(callback);
        }
        if (queued > 0) {
            ApiLog.debug(queued + " metric callbacks waited for a thread behind " + stuck
                    + " that have not returned; they miss this scrape");
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
                    pool = new ThreadPoolExecutor(BASE_THREADS, BASE_THREADS, IDLE_SECONDS, TimeUnit.SECONDS,
                            new LinkedBlockingQueue<Runnable>(), new DaemonThreads("dynamo-metrics-callback-"));
                    pool.allowCoreThreadTimeOut(true);
                    executor = pool;
                }
            }
        }
        resize(pool);
        return pool;
    }

    /**
     * Sizes the pool to {@link #BASE_THREADS} more than the callbacks executing now (up to {@link
     * #MAX_THREADS}); returns how many are executing. A larger core size starts threads for the queued
     * runs at once.
     */
    private int resize(ThreadPoolExecutor pool) {
        int executing = 0;
        for (ScrapeCallback callback : callbacks) {
            if (callback.isExecuting()) {
                executing++;
            }
        }
        int wanted = Math.min(MAX_THREADS, BASE_THREADS + executing);
        synchronized (this) {
            if (wanted > pool.getMaximumPoolSize()) {
                pool.setMaximumPoolSize(wanted);
                pool.setCorePoolSize(wanted);
            } else if (wanted < pool.getMaximumPoolSize()) {
                pool.setCorePoolSize(wanted);
                pool.setMaximumPoolSize(wanted);
            }
        }
        if (executing >= MAX_THREADS && poolFullReported.compareAndSet(false, true)) {
            ApiLog.warn("all " + MAX_THREADS + " metric callback threads are held by callbacks that have not"
                    + " returned; the other callbacks wait until one returns, and their series are left out meanwhile");
        }
        return executing;
    }
}
