package dev.dynamo.runtime.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the {@link ScrapeCallback}s of a store before a scrape, concurrently on a few daemon
 * threads, and waits for them at most {@link #DEADLINE_MILLIS}. A callback still running from an
 * earlier scrape is not started again, so a hung callback holds one thread and no more; the pool
 * grows by one thread per such callback, up to {@link #MAX_THREADS}, so that the others keep
 * theirs.
 */
final class ScrapeCallbacks {
    /** How long a scrape waits for its callbacks; late ones miss that scrape. */
    static final long DEADLINE_MILLIS = 500;
    private static final int BASE_THREADS = 2;
    private static final int MAX_THREADS = 16;

    private final List<ScrapeCallback> callbacks = new CopyOnWriteArrayList<ScrapeCallback>();
    private volatile ThreadPoolExecutor executor;

    void add(ScrapeCallback callback) {
        callbacks.add(callback);
    }

    /** Runs the callbacks registered at {@code place} or below; returns when they are done or late. */
    void run(List<String> place) {
        if (callbacks.isEmpty()) {
            return;
        }
        List<ScrapeCallback> toRun = new ArrayList<ScrapeCallback>();
        int late = 0;
        for (ScrapeCallback callback : callbacks) {
            if (!callback.isAtOrBelow(place)) {
                continue;
            }
            if (callback.tryStart()) {
                toRun.add(callback);
            } else {
                late++;
            }
        }
        if (toRun.isEmpty()) {
            return;
        }
        ThreadPoolExecutor pool = executor(late);
        CountDownLatch done = new CountDownLatch(toRun.size());
        for (ScrapeCallback callback : toRun) {
            try {
                pool.execute(() -> {
                    try {
                        callback.runStarted();
                    } finally {
                        done.countDown();
                    }
                });
            } catch (RejectedExecutionException notAccepted) {
                callback.abandon();
                done.countDown();
            }
        }
        try {
            if (!done.await(DEADLINE_MILLIS, TimeUnit.MILLISECONDS)) {
                for (ScrapeCallback callback : toRun) {
                    if (callback.isRunning()) {
                        callback.report(callback.description() + " did not return within " + DEADLINE_MILLIS
                                + " ms; its series are left out of the scrape until it returns");
                    }
                }
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The pool, with one thread more than the base for each callback that is stuck in it. */
    private ThreadPoolExecutor executor(int late) {
        ThreadPoolExecutor pool = executor;
        if (pool == null) {
            synchronized (this) {
                pool = executor;
                if (pool == null) {
                    pool = new ThreadPoolExecutor(BASE_THREADS, BASE_THREADS, 30, TimeUnit.SECONDS,
                            new LinkedBlockingQueue<Runnable>(), new CallbackThreads());
                    pool.allowCoreThreadTimeOut(true);
                    executor = pool;
                }
            }
        }
        int wanted = Math.min(MAX_THREADS, BASE_THREADS + late);
        if (pool.getMaximumPoolSize() != wanted) {
            synchronized (this) {
                if (wanted > pool.getMaximumPoolSize()) {
                    pool.setMaximumPoolSize(wanted);
                    pool.setCorePoolSize(wanted);
                } else {
                    pool.setCorePoolSize(wanted);
                    pool.setMaximumPoolSize(wanted);
                }
            }
        }
        return pool;
    }

    private static final class CallbackThreads implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "dynamo-metrics-callback-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
