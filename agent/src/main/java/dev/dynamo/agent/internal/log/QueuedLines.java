package dev.dynamo.agent.internal.log;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Writes the lines of the threads that must never wait long for stderr (the agent's and its API's
 * own: a liveness probe's answer must not hang on a log line, nor a metric callback's thread) on a
 * thread of its own. A line is handed
 * to the writer thread, and its thread waits for it at most {@link #WAIT_NANOS} when nothing is
 * queued before it, so that the line is normally on stderr before the response it concerns is sent.
 * When stderr is not drained (a pipe nobody reads, a stalled log collector), the writer waits, the
 * lines queue up to {@link #CAPACITY} without anyone waiting for them, and the next ones are dropped
 * and counted, with one line saying how many once stderr takes lines again. The writer ends after
 * {@link #IDLE_MILLIS} without a line.
 */
final class QueuedLines implements Runnable {
    static final int CAPACITY = 256;
    static final long IDLE_MILLIS = 5000;
    /** How long a thread waits for its line when none was queued before it. */
    static final long WAIT_NANOS = 50_000_000L;
    private static final Object LOCK = new Object();
    /** Guarded by {@link #LOCK}, as everything below. */
    private static final Deque<String> LINES = new ArrayDeque<String>();
    private static Thread writer;
    /** Whether the writer is writing a line it took. */
    private static boolean writing;
    private static long queued;
    private static long written;
    private static int dropped;

    private QueuedLines() {
    }

    /** Hands {@code line} to the writer thread, or counts it dropped when the queue is full; waits little or not at all. */
    static void offer(String line) {
        long number;
        boolean behindOthers;
        synchronized (LOCK) {
            if (LINES.size() >= CAPACITY) {
                dropped++;
                return;
            }
            behindOthers = writing || !LINES.isEmpty();
            LINES.addLast(line);
            number = ++queued;
            if (writer == null) {
                try {
                    Thread thread = new Thread(new QueuedLines(), "dynamo-agent-log");
                    thread.setDaemon(true);
                    // Started by whichever of the agent's threads logs first: a metric callback's runs with the
                    // application's class loader as its context, which this thread would keep (a re-tester's Tomcat).
                    thread.setContextClassLoader(null);
                    thread.start();
                    writer = thread;
                } catch (Throwable noThread) {
                    // The line waits for the next one, whose offer starts the writer again.
                    return;
                }
            } else {
                LOCK.notifyAll();
            }
            if (behindOthers) {
                return;
            }
            long deadline = System.nanoTime() + WAIT_NANOS;
            try {
                for (long left = WAIT_NANOS; written < number && left > 0; left = deadline - System.nanoTime()) {
                    LOCK.wait(left / 1_000_000L, (int) (left % 1_000_000L));
                }
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits until the lines queued so far are written, at most {@code millis}: for tests that read the log. */
    static void awaitWritten(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        synchronized (LOCK) {
            for (long left = deadline - System.nanoTime(); written < queued && left > 0;
                    left = deadline - System.nanoTime()) {
                LOCK.wait(Math.max(1, left / 1_000_000L));
            }
        }
    }

    @Override
    public void run() {
        try {
            while (true) {
                String line;
                int droppedBefore;
                synchronized (LOCK) {
                    long idleUntil = System.currentTimeMillis() + IDLE_MILLIS;
                    while (LINES.isEmpty()) {
                        long left = idleUntil - System.currentTimeMillis();
                        if (left <= 0) {
                            writer = null;
                            return;
                        }
                        LOCK.wait(left);
                    }
                    line = LINES.pollFirst();
                    writing = true;
                    droppedBefore = dropped;
                    dropped = 0;
                }
                try {
                    PrintStream out = AgentLog.out();
                    out.println(line);
                    if (droppedBefore > 0) {
                        out.println(AgentLog.timestamp(System.currentTimeMillis()) + " " + LogLevel.WARN
                                + " dynamo-agent [AgentLog] " + droppedBefore + " log lines of the agent's own threads"
                                + " were dropped: stderr took no lines for a while (a pipe nobody reads?)");
                    }
                } finally {
                    synchronized (LOCK) {
                        writing = false;
                        written++;
                        LOCK.notifyAll();
                    }
                }
            }
        } catch (Throwable stopped) {
            synchronized (LOCK) {
                writer = null;
                writing = false;
            }
        }
    }
}
