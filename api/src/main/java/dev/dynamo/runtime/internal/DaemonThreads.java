package dev.dynamo.runtime.internal;

import java.lang.reflect.Constructor;
import java.security.AccessController;
import java.security.PrivilegedAction;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Daemon threads named {@code prefix} and a number, for the API's pools (metric callbacks, foreign
 * copies' collections): they never keep the application's JVM from exiting. The agent writes the
 * log lines of threads whose names begin {@code dynamo-} through a writer thread of its own, so that
 * a stderr nobody drains never holds them: the prefixes given here keep that beginning.
 *
 * <p>A pool thread is made by whichever thread first needs it: often one of a web application's (its
 * {@code prometheusExpfmt()}). It takes nothing of that thread that would keep the application's class
 * loader alive for as long as it runs: no context class loader, no access control context of the
 * application's classes, and, from Java 9, none of its inheritable thread locals. Before, a pool thread
 * kept the context class loader of the request that made it, and so an undeployed application's
 * classes, while scrapes came less than its idle time apart (a re-tester's Tomcat).
 */
final class DaemonThreads implements ThreadFactory {
    /** {@code Thread(ThreadGroup, Runnable, String, long, boolean)}, of Java 9 and later; null before. */
    private static final Constructor<Thread> WITHOUT_INHERITED_LOCALS = withoutInheritedLocals();
    /** The factory that made the current thread, set as each of its threads starts. */
    private static final ThreadLocal<DaemonThreads> MAKER = new ThreadLocal<DaemonThreads>();

    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();

    DaemonThreads(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public Thread newThread(final Runnable task) {
        final String name = prefix + count.incrementAndGet();
        final Runnable marked = new Runnable() {
            @Override
            public void run() {
                MAKER.set(DaemonThreads.this);
                task.run();
            }
        };
        // Made with this class's privileges only: a thread keeps the access control context it is made in.
        return AccessController.doPrivileged(new PrivilegedAction<Thread>() {
            @Override
            public Thread run() {
                Thread thread = create(marked, name);
                thread.setDaemon(true);
                try {
                    thread.setContextClassLoader(null);
                } catch (SecurityException refused) {
                    // A security manager that does not grant it to this copy's code: it keeps its maker's.
                }
                return thread;
            }
        });
    }

    /** Whether the current thread is one of this factory's. */
    boolean madeCurrentThread() {
        return MAKER.get() == this;
    }

    private static Thread create(Runnable task, String name) {
        if (WITHOUT_INHERITED_LOCALS != null) {
            try {
                return WITHOUT_INHERITED_LOCALS.newInstance(null, task, name, 0L, false);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError failed) {
                // Made the Java 8 way below.
            }
        }
        return new Thread(task, name);
    }

    private static Constructor<Thread> withoutInheritedLocals() {
        try {
            return Thread.class.getConstructor(ThreadGroup.class, Runnable.class, String.class, long.class,
                    boolean.class);
        } catch (NoSuchMethodException | RuntimeException java8) {
            return null;
        }
    }
}
