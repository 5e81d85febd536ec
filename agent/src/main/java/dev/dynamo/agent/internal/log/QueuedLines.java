package dev.dynamo.agent.internal.log;

import java.io.PrintStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes the lines of the threads that must never wait for stderr (the metrics server's: a
 * liveness probe's answer must not hang on a log line) on a thread of its own. When stderr is not
 * drained (a pipe nobody reads, a stalled log collector), the writer thread waits, the lines queue
 * up to {@link #CAPACITY}, and the next ones are dropped and counted, with one line saying how
 * many once stderr takes lines again. The writer ends after {@link #IDLE_SECONDS} without a line.
 */
final class QueuedLines implements Runnable {
    static final int CAPACITY = 256;
    static final int IDLE_SECONDS = 5;
    private static final BlockingQueue<String> LINES = new ArrayBlockingQueue<String>(CAPACITY);
    private static final AtomicInteger DROPPED = new AtomicInteger();
    private static final Object LOCK = new Object();
    /** Guarded by {@link #LOCK}. */
    private static Thread writer;

    private QueuedLines() {
    }

    /** Queues {@code line} for the writer thread, or counts it dropped when the queue is full; never waits. */
    static void offer(String line) {
        if (!LINES.offer(line)) {
            DROPPED.incrementAndGet();
        }
        synchronized (LOCK) {
            if (writer != null) {
                return;
            }
            try {
                Thread thread = new Thread(new QueuedLines(), "dynamo-agent-log");
                thread.setDaemon(true);
                thread.start();
                writer = thread;
            } catch (Throwable noThread) {
                // The lines wait for the next one, whose offer starts the writer again.
            }
        }
    }

    @Override
    public void run() {
        try {
            while (true) {
                String line = LINES.poll(IDLE_SECONDS, TimeUnit.SECONDS);
                if (line == null) {
                    synchronized (LOCK) {
                        if (LINES.isEmpty()) {
                            writer = null;
                            return;
                        }
                    }
                    continue;
                }
                PrintStream out = AgentLog.out();
                out.println(line);
                int dropped = DROPPED.getAndSet(0);
                if (dropped > 0) {
                    out.println(AgentLog.timestamp(System.currentTimeMillis()) + " " + LogLevel.WARN
                            + " dynamo-agent [AgentLog] " + dropped + " log lines of the agent's server were dropped:"
                            + " stderr took no lines for a while (a pipe nobody reads?)");
                }
            }
        } catch (Throwable stopped) {
            synchronized (LOCK) {
                writer = null;
            }
        }
    }
}
