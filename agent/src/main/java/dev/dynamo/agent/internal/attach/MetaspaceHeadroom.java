package dev.dynamo.agent.internal.attach;

import dev.dynamo.agent.internal.instrumentation.AnnotatedClasses;

import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;
import java.util.List;

/**
 * Whether a running JVM has the room for the agent's classes that its class metadata limits leave. Attached to a
 * JVM at {@code -XX:MaxMetaspaceSize=18m} with 3 MB of it free, the agent's classes took the rest, which is never
 * given back, and the application's next class failed with {@code OutOfMemoryError: Metaspace}: its main thread
 * died (a re-tester, JDK 17 and 25). At {@code premain} nothing is known of what the application will need, so
 * only an attach is checked.
 */
public final class MetaspaceHeadroom {
    /**
     * What the agent's classes take of the metaspace once attached, with no annotated class: 3.7 MB measured with
     * its server serving (JDK 17), rounded up.
     */
    static final long AGENT_METASPACE_BYTES = 5L << 20;
    /**
     * What each annotated class loaded before the attach adds once woven again: 8.8 MB in all with 1,000 and
     * 13.7 MB with 2,000 (a re-tester, JDK 17; 13 MB on JDK 25), about 5 KB a class, rounded up.
     */
    static final long METASPACE_BYTES_PER_ANNOTATED_CLASS = 6L << 10;
    /** The same for the compressed class space, where the JVM keeps the classes themselves: 0.45 MB measured. */
    static final long AGENT_CLASS_SPACE_BYTES = 1L << 20;

    private MetaspaceHeadroom() {
    }

    /**
     * Why this JVM cannot take the agent's classes, or null when it can (or cannot tell). The annotated classes
     * loaded are counted only where a pool is limited, since counting reads their class files.
     */
    public static String refusal(Instrumentation instrumentation) {
        try {
            List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans();
            for (MemoryPoolMXBean pool : pools) {
                if (isClassMetadata(pool) && pool.getUsage().getMax() >= 0) {
                    return refusal(pools, AnnotatedClasses.countLoaded(instrumentation));
                }
            }
            return null;
        } catch (RuntimeException | LinkageError cannotTell) {
            return null;
        }
    }

    private static boolean isClassMetadata(MemoryPoolMXBean pool) {
        return pool.getName().equals("Metaspace") || pool.getName().equals("Compressed Class Space");
    }

    /**
     * Why the pools cannot take the agent's classes and those it weaves again for {@code annotatedClasses}: a
     * limited pool must have free, besides what the agent takes, a quarter of what the application has committed,
     * for the classes it may still load.
     */
    static String refusal(List<MemoryPoolMXBean> pools, int annotatedClasses) {
        for (MemoryPoolMXBean pool : pools) {
            if (!isClassMetadata(pool)) {
                continue;
            }
            boolean metaspace = pool.getName().equals("Metaspace");
            MemoryUsage usage = pool.getUsage();
            if (usage.getMax() < 0) {
                continue;
            }
            long agentBytes = metaspace ? AGENT_METASPACE_BYTES + annotatedClasses * METASPACE_BYTES_PER_ANNOTATED_CLASS
                    : AGENT_CLASS_SPACE_BYTES;
            long committed = Math.max(usage.getCommitted(), usage.getUsed());
            long needed = committed + agentBytes + committed / 4;
            if (needed > usage.getMax()) {
                String flag = metaspace ? "-XX:MaxMetaspaceSize" : "-XX:CompressedClassSpaceSize";
                return "not attaching: this JVM's " + pool.getName() + " is limited to " + megabytes(usage.getMax())
                        + " MB (" + flag + ") and " + megabytes(committed) + " MB of it are taken; the agent's classes"
                        + (metaspace ? ", with the " + annotatedClasses + " annotated classes it would instrument," : "")
                        + " need about " + megabytes(agentBytes) + " MB, which the JVM never gives back, and the"
                        + " application keeps room for a quarter more classes than it has. The application runs on"
                        + " without metrics; to measure it, restart it with " + flag + "=" + megabytes(needed + (1 << 20))
                        + "m or more, or with -javaagent";
            }
        }
        return null;
    }

    private static long megabytes(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }
}
