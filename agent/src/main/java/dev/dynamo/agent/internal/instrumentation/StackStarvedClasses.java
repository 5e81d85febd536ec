package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.runtime.internal.ApplicationText;

import java.lang.instrument.Instrumentation;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Classes whose weaving ran out of stack: first loaded at the top of a deep recursion, or while a
 * {@code StackOverflowError} unwinds. They load unchanged, and are woven later on a thread of the
 * agent's, with a stack of its own, by retransforming them once they are loaded: otherwise a moment
 * without stack would leave their endpoints unmeasured for the life of the JVM. Calls made before
 * that are not counted.
 *
 * <p>The thread runs only while classes wait; it looks for each among the classes its loader has
 * loaded, and gives a class up, with one warning, when it is not found there within 5 seconds.
 * Loaders are held weakly.
 */
final class StackStarvedClasses {
    private static final AgentLog LOG = AgentLog.get(StackStarvedClasses.class);
    /** Classes waiting at most; more are given up at once, with the usual warning. */
    static final int MAX_WAITING = 256;
    /** Pauses between looks for the waiting classes among the loaded ones, in ms; the last repeats. */
    private static final long[] PAUSES = {1, 5, 20, 50, 100, 200, 500, 1000};
    /** How long a class may wait to be found loaded before it is given up. */
    private static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** The one of the agent's transformer, for {@link #lookIfAnyWaiting}. */
    private static volatile StackStarvedClasses latest;

    private final Instrumentation instrumentation;
    /** Guarded by {@code this}. */
    private final List<Waiting> waiting = new ArrayList<Waiting>();
    /** Whether a thread is looking for the waiting classes; guarded by {@code this}. */
    private boolean looking;
    /** Whether classes wait and no thread looks for them: it could not be started where they failed. */
    volatile boolean unattended;

    /**
     * Classes noted where not even a call fitted on the stack: the transformer writes them here with
     * plain array and field writes ({@link EndpointTransformer#transform}), unchecked; {@link
     * #lookIfWaiting} takes them. Two threads noting at once may overwrite one; at most this many wait.
     */
    static final int MAX_NOTED = 256;
    final ClassLoader[] notedLoaders = new ClassLoader[MAX_NOTED];
    final String[] notedNames = new String[MAX_NOTED];
    volatile int noted;

    /** Whether a loaded class noted unchecked is one to weave: {@code @DynamoEndpoint} in its class file. */
    private final Predicate<Class<?>> annotated;

    StackStarvedClasses(Instrumentation instrumentation, Predicate<Class<?>> annotated) {
        this.instrumentation = instrumentation;
        this.annotated = annotated;
        // Loads the class now: the first class to wait comes at the top of a stack, where loading one fails.
        new Waiting(null, "", false);
        latest = this;
    }

    /** {@link #lookIfWaiting} of the agent's transformer: at every scrape too, in case no class loads after. */
    static void lookIfAnyWaiting() {
        StackStarvedClasses current = latest;
        if (current != null) {
            current.lookIfWaiting();
        }
    }

    /** Whether {@code failure} is, or was caused by, a {@code StackOverflowError}. */
    static boolean isStackOverflow(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof StackOverflowError) {
                return true;
            }
        }
        return false;
    }

    /**
     * Weaves class {@code internalName} of {@code loader} once it is loaded; false when it cannot wait
     * (too many wait already, or even this ran out of stack).
     */
    boolean weaveOnceLoaded(ClassLoader loader, String internalName) {
        try {
            synchronized (this) {
                if (!addWaiting(loader, internalName, false)) {
                    return false;
                }
                unattended = !looking;
            }
        } catch (Throwable noStack) {
            return false;
        }
        lookIfWaiting();
        return true;
    }

    /**
     * Starts the thread that looks for the waiting classes, if some wait unattended: called where a
     * class failed, and again at every later class load and scrape, since starting a thread takes
     * more stack than noting a class.
     */
    void lookIfWaiting() {
        if (!unattended || !ThreadStartPause.allows()) {
            return;
        }
        try {
            synchronized (this) {
                takeNoted();
                if (looking || waiting.isEmpty()) {
                    unattended = false;
                    return;
                }
                Thread thread = new Thread(new Runnable() {
                    @Override
                    public void run() {
                        lookForTheWaiting();
                    }
                }, "dynamo-metrics-retransform");
                thread.setDaemon(true);
                thread.start();
                looking = true;
                unattended = false;
            }
        } catch (OutOfMemoryError noThread) {
            // A process thread limit: not tried again for a while (at every class load, before).
            ThreadStartPause.failed();
        } catch (Throwable noStack) {
            // Tried again at the next class load.
        }
    }

    /** Moves the classes noted without a call to the waiting ones, unless the agent never weaves them. */
    private void takeNoted() {
        int count = Math.min(noted, MAX_NOTED);
        noted = 0;
        for (int i = 0; i < count; i++) {
            ClassLoader loader = notedLoaders[i];
            String internalName = notedNames[i];
            notedLoaders[i] = null;
            notedNames[i] = null;
            if (loader != null && internalName != null && !EndpointTransformer.isIgnored(internalName)) {
                addWaiting(loader, internalName, true);
            }
        }
    }

    /**
     * Makes class {@code internalName} of {@code loader} wait, once however often it is noted; false
     * when {@link #MAX_WAITING} wait already. Guarded by {@code this}.
     */
    private boolean addWaiting(ClassLoader loader, String internalName, boolean unchecked) {
        String name = internalName.replace('/', '.');
        for (Waiting one : waiting) {
            if (one.name.equals(name) && one.loader.get() == loader) {
                return true;
            }
        }
        if (waiting.size() >= MAX_WAITING) {
            return false;
        }
        waiting.add(new Waiting(loader, name, unchecked));
        return true;
    }

    private void lookForTheWaiting() {
        try {
            for (int round = 0; ; round++) {
                Thread.sleep(PAUSES[Math.min(round, PAUSES.length - 1)]);
                List<Waiting> current;
                synchronized (this) {
                    current = new ArrayList<Waiting>(waiting);
                }
                for (Waiting one : current) {
                    if (one.retransformIfLoaded(instrumentation, annotated) || one.waitedLongerThan(GIVE_UP_NANOS)) {
                        synchronized (this) {
                            waiting.remove(one);
                        }
                        // One noted unchecked may not have been a class to weave at all.
                        if (one.loader.get() != null && !one.retransformed && !one.unchecked) {
                            LOG.warn("cannot instrument " + one.name + "; it was loaded where the stack had no room"
                                    + " left for the weaving, and was not found loaded afterwards: it runs without"
                                    + " endpoint metrics");
                        }
                    }
                }
                synchronized (this) {
                    if (waiting.isEmpty()) {
                        looking = false;
                        return;
                    }
                }
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } catch (Throwable failed) {
            LOG.debug("looking for classes to weave after their load ran out of stack failed: " + failed);
        }
        synchronized (this) {
            waiting.clear();
            looking = false;
        }
    }

    /** A class to weave once loaded. */
    private static final class Waiting {
        final WeakReference<ClassLoader> loader;
        final String name;
        final long since = System.nanoTime();
        /** Noted without a call: whether its class file has the annotation is not known yet. */
        final boolean unchecked;
        /** Whether it was found loaded and handed to the JVM to be woven (or that failed, with a warning). */
        boolean retransformed;

        Waiting(ClassLoader loader, String name, boolean unchecked) {
            this.loader = new WeakReference<ClassLoader>(loader);
            this.name = name;
            this.unchecked = unchecked;
        }

        boolean waitedLongerThan(long nanos) {
            return System.nanoTime() - since > nanos;
        }

        /** Retransforms the class if its loader has loaded it; true when it needs no more looking for. */
        boolean retransformIfLoaded(Instrumentation instrumentation, Predicate<Class<?>> annotated) {
            ClassLoader current = loader.get();
            if (current == null) {
                return true;
            }
            for (Class<?> loaded : instrumentation.getInitiatedClasses(current)) {
                if (loaded.getName().equals(name) && loaded.getClassLoader() == current) {
                    if (unchecked && !annotated.test(loaded)) {
                        return true;
                    }
                    retransformed = true;
                    try {
                        instrumentation.retransformClasses(loaded);
                        LOG.warn("instrumented " + name + " " + (System.nanoTime() - since) / 1000000 + " ms after it"
                                + " loaded: its first load had no stack left for the weaving (a deep recursion, or a"
                                + " small -Xss), and its calls before were not counted");
                    } catch (Exception | LinkageError failed) {
                        LOG.warn("cannot instrument " + name + ", loaded where the stack had no room left for the"
                                + " weaving; it runs without endpoint metrics: " + ApplicationText.of(failed));
                    }
                    return true;
                }
            }
            return false;
        }
    }
}
