package dev.dynamo.agent.internal.instrumentation;

/**
 * Weaves one class on a thread of its own, with a stack of {@link #STACK_BYTES}, while the thread
 * that loads the class waits: for a loading thread whose stack is too short for the weaving
 * ({@link StackHeadroom}), such as every thread of a JVM started with {@code -Xss160k}, or one at
 * the top of a deep recursion. The class then loads woven, and no call is lost; only where no such
 * thread can start, or the weaving does not end within {@link #WAIT_MILLIS}, is the class loaded as
 * it is and woven once loaded ({@link StackStarvedClasses}), its first calls uncounted.
 *
 * <p>The weaving loads one class through the loader of the class being loaded (the API copy it
 * sees, {@link InstrumentedEndpoints#linkedFrom}), and a loader that is not parallel-capable is
 * locked by the waiting thread while it loads: that lookup is made on the loading thread first, and
 * kept for the weaving thread, and the weaving reads no class file through such a locked loader
 * (the return types' hierarchies are read through its parents; a type only it serves is then decided
 * at each call). The wait is bounded all the same, for a loader whose other methods
 * lock it too: the weaving then finishes once the class has loaded, and its result is dropped.
 */
final class WeavingThread implements Runnable {
    /** Far more than weaving needs while interpreted ({@link StackHeadroom}: about 150 KB). */
    static final long STACK_BYTES = 4L << 20;
    /** Longer than weaving the first class takes on a loaded machine, cold (loading the weaver's classes). */
    static final long WAIT_MILLIS = 5000;

    /** The weaving to run. */
    interface Weaving {
        /** The woven class file, or null when nothing is woven; may throw. */
        byte[] weave() throws Exception;
    }

    private final Weaving weaving;
    private byte[] woven;
    private Throwable failure;
    private boolean done;

    private WeavingThread(Weaving weaving) {
        this.weaving = weaving;
    }

    /**
     * Runs {@code weaving} on a thread of its own and waits for it, at most {@code waitMillis}.
     *
     * @return the finished weaving, or null when it could not run or did not end in time
     */
    static WeavingThread weave(Weaving weaving, long waitMillis) {
        if (!ThreadStartPause.allows()) {
            return null;
        }
        WeavingThread task = new WeavingThread(weaving);
        Thread thread;
        try {
            thread = new Thread(null, task, "dynamo-weaver", STACK_BYTES);
            thread.setDaemon(true);
            thread.start();
        } catch (OutOfMemoryError | RuntimeException noThread) {
            // No thread can start (a process thread limit): woven once loaded instead.
            ThreadStartPause.failed();
            return null;
        }
        awaitUninterruptibly(thread, waitMillis);
        synchronized (task) {
            if (!task.done) {
                task.done = true; // too late from now on: the thread's result is dropped
                return null;
            }
        }
        return task;
    }

    /**
     * Waits for {@code thread} at most {@code waitMillis}, through interrupts: class loading is not
     * interruptible, and a loading thread with an interrupt pending would otherwise stop waiting at
     * once, and its class load unwoven. The interrupt is kept for the application.
     */
    private static void awaitUninterruptibly(Thread thread, long waitMillis) {
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        boolean interrupted = false;
        try {
            for (long left = waitMillis; left > 0 && thread.isAlive();
                    left = (deadline - System.nanoTime()) / 1_000_000L) {
                try {
                    thread.join(left);
                } catch (InterruptedException interrupt) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void run() {
        byte[] result = null;
        Throwable thrown = null;
        try {
            result = weaving.weave();
        } catch (Throwable failed) {
            thrown = failed;
        }
        synchronized (this) {
            if (!done) {
                woven = result;
                failure = thrown;
                done = true;
            }
        }
    }

    /** The woven class file, or null when nothing was woven; throws what the weaving threw. */
    synchronized byte[] result() throws Exception {
        if (failure instanceof Exception) {
            throw (Exception) failure;
        }
        if (failure instanceof Error) {
            throw (Error) failure;
        }
        return woven;
    }
}
