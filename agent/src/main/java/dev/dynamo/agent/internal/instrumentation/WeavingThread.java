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
    /**
     * How long the weaving thread may stay blocked on a monitor, while the waiting thread holds the lock of
     * the loader that serves the agent's classes, before the wait gives up: far longer than any monitor
     * is held in passing, far shorter than {@link #WAIT_MILLIS}.
     */
    static final long BLOCKED_MILLIS = 50;

    /** The weaving to run. */
    interface Weaving {
        /** The woven class file, or null when nothing is woven; may throw. */
        byte[] weave() throws Exception;
    }

    /**
     * Weaving threads whose wait gave up because they stayed blocked while the waiting thread held the agent's
     * loader, and that still run: each is blocked on that loader's lock or behind one that is. While one is,
     * another would block the same way, so none is started (a re-tester's burst of 200 classes under
     * {@code -Xss136k} had 76 such threads at once). Guarded by the class.
     */
    private static int blockedOnAgentLoader;

    private final Weaving weaving;
    /** Whether this thread counts in {@link #blockedOnAgentLoader}. Guarded by this. */
    private boolean countedBlocked;
    private byte[] woven;
    private Throwable failure;
    private boolean done;

    private WeavingThread(Weaving weaving) {
        this.weaving = weaving;
    }

    /**
     * Runs {@code weaving} on a thread of its own and waits for it, at most {@code waitMillis}.
     *
     * @param heldAgentLoader the loader of the agent's classes where the waiting thread holds its lock (a
     *                        custom system class loader that is not parallel-capable, loading the class),
     *                        else null. The weaving loads the agent's classes it has not used yet through
     *                        that loader, and would wait for the lock until the wait gives up; once the
     *                        weaving thread is seen blocked for {@link #BLOCKED_MILLIS}, the wait gives up
     *                        then. The weaving finishes once the lock is free, which loads those classes
     *                        for the next class (a re-tester: each annotated class stalled its first use
     *                        5 s under {@code -Xss136k}).
     * @return the finished weaving, or null when it could not run or did not end in time
     */
    static WeavingThread weave(Weaving weaving, long waitMillis, ClassLoader heldAgentLoader) {
        if (!ThreadStartPause.allows() || heldAgentLoader != null && blockedOnAgentLoader() > 0) {
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
        awaitUninterruptibly(thread, waitMillis, heldAgentLoader != null);
        synchronized (task) {
            if (!task.done) {
                task.done = true; // too late from now on: the thread's result is dropped
                if (heldAgentLoader != null && thread.getState() == Thread.State.BLOCKED) {
                    task.countedBlocked = true;
                    synchronized (WeavingThread.class) {
                        blockedOnAgentLoader++;
                    }
                }
                return null;
            }
        }
        return task;
    }

    /** How many weaving threads were given up on, blocked, and still run (see {@link #blockedOnAgentLoader}). */
    static synchronized int blockedOnAgentLoader() {
        return blockedOnAgentLoader;
    }

    /**
     * Waits for {@code thread} at most {@code waitMillis}, through interrupts: class loading is not
     * interruptible, and a loading thread with an interrupt pending would otherwise stop waiting at
     * once, and its class load unwoven. The interrupt is kept for the application.
     *
     * @param untilBlocked whether to give up once {@code thread} stays blocked on a monitor for
     *                     {@link #BLOCKED_MILLIS}
     */
    private static void awaitUninterruptibly(Thread thread, long waitMillis, boolean untilBlocked) {
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        long blockedSince = 0;
        boolean interrupted = false;
        try {
            for (long left = waitMillis; left > 0 && thread.isAlive();
                    left = (deadline - System.nanoTime()) / 1_000_000L) {
                try {
                    thread.join(untilBlocked ? 1 : left);
                } catch (InterruptedException interrupt) {
                    interrupted = true;
                }
                if (untilBlocked) {
                    if (thread.getState() != Thread.State.BLOCKED) {
                        blockedSince = 0;
                    } else if (blockedSince == 0) {
                        blockedSince = System.nanoTime();
                    } else if (System.nanoTime() - blockedSince >= BLOCKED_MILLIS * 1_000_000L) {
                        return;
                    }
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
            } else if (countedBlocked) {
                synchronized (WeavingThread.class) {
                    blockedOnAgentLoader--;
                }
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
