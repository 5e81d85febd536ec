package dev.dynamo.agent.internal.instrumentation;

/**
 * The instrumentation's threads ({@link WeavingThread}, {@link StackStarvedClasses}' retransform
 * thread) are started where a class loads; under a process thread limit each failed start makes the
 * JVM print a warning, so after one could not start none is tried for {@link #PAUSE_NANOS}.
 */
final class ThreadStartPause {
    static final long PAUSE_NANOS = 1_000_000_000L;
    /** When a thread last could not be started ({@link System#nanoTime()}), or 0. */
    private static volatile long failedAt;

    private ThreadStartPause() {
    }

    /** Whether a thread may be started now: none failed to start within the pause. */
    static boolean allows() {
        long failed = failedAt;
        return failed == 0 || System.nanoTime() - failed >= PAUSE_NANOS;
    }

    /** A thread could not be started (an {@code OutOfMemoryError}: the process's thread limit). */
    static void failed() {
        failedAt = System.nanoTime();
    }
}
