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
                + " are taken; the agent's classes need about 8 MB, which the JVM never gives back, and the application"
                + " keeps room for a quarter more classes than it has. The application runs on without metrics; to"
                + " measure it, restart it with -XX:MaxMetaspaceSize=28m or more, or with -javaagent",
                MetaspaceHeadroom.refusal(Collections.singletonList(pool("Metaspace", 15 * MB, 18 * MB))));
        assertNull(MetaspaceHeadroom.refusal(Collections.singletonList(pool("Metaspace", 15 * MB, 32 * MB))));
    }

    @Test
    void checksTheCompressedClassSpaceTooAndLeavesUnlimitedAndOtherPoolsAlone() {
        assertEquals(true, MetaspaceHeadroom.refusal(Arrays.asList(pool("Metaspace", 15 * MB, -1),
                pool("Compressed Class Space", 2 * MB, 3 * MB))).contains("-XX:CompressedClassSpaceSize"));
        assertNull(MetaspaceHeadroom.refusal(Arrays.asList(pool("Metaspace", 15 * MB, -1),
                pool("Compressed Class Space", 2 * MB, 1024 * MB), pool("G1 Old Gen", 100 * MB, 101 * MB))));
    }
}
