package dev.dynamo.agent.internal.server;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The server's thread pools. Their threads start when tasks come and end when idle, so a thread may
 * be started long after the agent started, when the application has taken every thread its limits
 * allow ({@code ulimit -u}, a container's pids limit). The JDK's pool then throws the JVM's
 * {@code OutOfMemoryError} ("unable to create native thread") out of {@code execute} and keeps
 * failing so for every later task, even while a thread of its own waits idle. Here the task goes
 * to the threads the pool has, and only a pool without any rejects it.
 */
final class WorkerPool extends ThreadPoolExecutor {
    WorkerPool(int threads, BlockingQueue<Runnable> queue, ThreadFactory factory) {
        super(threads, threads, 60, TimeUnit.SECONDS, queue, factory);
        allowCoreThreadTimeOut(true);
    }

    /** @throws NoThreadException when no thread can be started for {@code task} and the pool has none */
    @Override
    public void execute(Runnable task) {
        try {
            super.execute(task);
        } catch (RejectedExecutionException rejected) {
            throw rejected;
        } catch (Error noThread) {
            if (!isShutdown() && getPoolSize() > 0 && getQueue().offer(task)) {
                return;
            }
            throw new NoThreadException(noThread);
        }
    }

    /** The JVM could not start a thread for a task, and the pool had no thread to run it. */
    static final class NoThreadException extends RejectedExecutionException {
        private static final long serialVersionUID = 1L;

        NoThreadException(Error cause) {
            super("the JVM cannot start a thread for it (" + cause + ")", cause);
        }
    }
}
