package dev.dynamo.runtime.internal;

import java.util.concurrent.ThreadPoolExecutor;

/**
 * Resizing the fixed-size pools of the API and the agent (metric callbacks, health checks). Public for the
 * agent, whose health checks' pool grows and shrinks the same way.
 */
public final class ThreadPools {
    private ThreadPools() {
    }

    /**
     * Sets {@code pool}'s core and maximum size to {@code threads}, in the order the JDK accepts: from Java 9 a
     * core size above the maximum, or a maximum below the core size, is refused.
     */
    public static void resize(ThreadPoolExecutor pool, int threads) {
        synchronized (pool) {
            if (threads > pool.getMaximumPoolSize()) {
                pool.setMaximumPoolSize(threads);
                pool.setCorePoolSize(threads);
            } else if (threads < pool.getMaximumPoolSize()) {
                pool.setCorePoolSize(threads);
                pool.setMaximumPoolSize(threads);
            }
        }
    }
}
