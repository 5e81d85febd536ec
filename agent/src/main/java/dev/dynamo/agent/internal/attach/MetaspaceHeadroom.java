package dev.dynamo.agent.internal.attach;

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
     * What the agent's classes take of the metaspace once attached, rounded up: 3.7 MB with its server serving
     * and no annotated class, 6.5 MB with 1,000 annotated classes woven (JDK 17 and 25).
     */
    static final long AGENT_METASPACE_BYTES = 8L << 20;
    /** The same for the compressed class space, where the JVM keeps the classes themselves: 0.45 MB measured. */
    static final long AGENT_CLASS_SPACE_BYTES = 1L << 20;

    private MetaspaceHeadroom() {
    }

    /** Why this JVM cannot take the agent's classes, or null when it can (or cannot tell). */
    public static String refusal() {
        try {
            return refusal(ManagementFactory.getMemoryPoolMXBeans());
        } catch (RuntimeException | LinkageError cannotTell) {
            return null;
        }
    }

    /**
     * Why the pools cannot take the agent's classes: a limited pool must have free, besides what the agent takes,
     * a quarter of what the application has committed, for the classes it may still load.
     */
    static String refusal(List<MemoryPoolMXBean> pools) {
        for (MemoryPoolMXBean pool : pools) {
            long agentBytes = pool.getName().equals("Metaspace") ? AGENT_METASPACE_BYTES
                    : pool.getName().equals("Compressed Class Space") ? AGENT_CLASS_SPACE_BYTES : 0;
            MemoryUsage usage = agentBytes == 0 ? null : pool.getUsage();
            if (usage == null || usage.getMax() < 0) {
                continue;
            }
            long committed = Math.max(usage.getCommitted(), usage.getUsed());
            long needed = committed + agentBytes + committed / 4;
            if (needed > usage.getMax()) {
                String flag = agentBytes == AGENT_METASPACE_BYTES ? "-XX:MaxMetaspaceSize" : "-XX:CompressedClassSpaceSize";
                return "not attaching: this JVM's " + pool.getName() + " is limited to " + megabytes(usage.getMax())
                        + " MB (" + flag + ") and " + megabytes(committed) + " MB of it are taken; the agent's classes"
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
