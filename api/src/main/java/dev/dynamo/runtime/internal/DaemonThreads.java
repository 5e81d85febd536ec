package dev.dynamo.runtime.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Daemon threads named {@code prefix} and a number, for the API's pools (metric callbacks, foreign
 * copies' collections): they never keep the application's JVM from exiting. The agent writes the
 * log lines of threads whose names begin {@code dynamo-} through a writer thread of its own, so that
 * a stderr nobody drains never holds them: the prefixes given here keep that beginning.
 */
final class DaemonThreads implements ThreadFactory {
    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();

    DaemonThreads(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread thread = new Thread(task, prefix + count.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    }
}
