package dev.dynamo.agent.internal.attach;

import org.junit.jupiter.api.Test;

import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.Collections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class MetaspaceHeadroomTest {
    private static final long MB = 1L << 20;

    private static MemoryPoolMXBean pool(String name, long committed, long max) {
        MemoryUsage usage = new MemoryUsage(0, committed, committed, max);
        return (MemoryPoolMXBean) Proxy.newProxyInstance(MetaspaceHeadroomTest.class.getClassLoader(),
                new Class<?>[] {MemoryPoolMXBean.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getName":
                            return name;
                        case "getUsage":
                            return usage;
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    /**
     * A JVM at {@code -XX:MaxMetaspaceSize=18m} with 15 MB taken: attached, the agent's classes took the rest and
     * the application's main thread died of {@code OutOfMemoryError: Metaspace} (a re-tester). It is refused with
     * what to do.
     */
    @Test
    void refusesALimitedMetaspaceWithoutRoomForTheAgentAndAQuarterMore() {
        assertEquals("not attaching: this JVM's Metaspace is limited to 18 MB (-XX:MaxMetaspaceSize) and 15 MB of it"
                + " are taken; the agent's classes, with the 0 annotated classes it would instrument, need about 5 MB,"
                + " which the JVM never gives back, and the application keeps room for a quarter more classes than it"
                + " has. The application runs on without metrics; to measure it, restart it with"
                + " -XX:MaxMetaspaceSize=25m or more, or with -javaagent",
                MetaspaceHeadroom.refusal(Collections.singletonList(pool("Metaspace", 15 * MB, 18 * MB)), 0));
        assertNull(MetaspaceHeadroom.refusal(Collections.singletonList(pool("Metaspace", 15 * MB, 32 * MB)), 0));
    }

    /**
     * Each annotated class loaded before the attach is woven again, about 5 KB more each: a JVM at 17m with 6.5 MB
     * taken and 2,000 annotated classes was let in by a fixed 8 MB, and its main thread died of
     * {@code OutOfMemoryError: Metaspace} (a re-tester, JDK 17 and 25).
     */
    @Test
    void countsTheAnnotatedClassesItWouldInstrumentAgain() {
        String refused = MetaspaceHeadroom.refusal(Collections.singletonList(pool("Metaspace", 6 * MB + MB / 2,
                17 * MB)), 2_000);
        assertEquals(true, refused != null && refused.contains("with the 2000 annotated classes it would instrument,"
                + " need about 17 MB"), refused);
        assertNull(MetaspaceHeadroom.refusal(Collections.singletonList(pool("Metaspace", 6 * MB + MB / 2,
                17 * MB)), 0), "without them, the agent alone fits");
    }

    @Test
    void checksTheCompressedClassSpaceTooAndLeavesUnlimitedAndOtherPoolsAlone() {
        assertEquals(true, MetaspaceHeadroom.refusal(Arrays.asList(pool("Metaspace", 15 * MB, -1),
                pool("Compressed Class Space", 2 * MB, 3 * MB)), 0).contains("-XX:CompressedClassSpaceSize"));
        assertNull(MetaspaceHeadroom.refusal(Arrays.asList(pool("Metaspace", 15 * MB, -1),
                pool("Compressed Class Space", 2 * MB, 1024 * MB), pool("G1 Old Gen", 100 * MB, 101 * MB)), 0));
    }
}
