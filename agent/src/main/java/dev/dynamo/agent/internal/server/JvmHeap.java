package dev.dynamo.agent.internal.server;

import com.sun.management.GcInfo;
import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.RuntimeMXBean;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * This JVM's heap, for {@link HeapHeadroom}. The heap in use after the last collection is the sum of
 * the heap pools after the latest collection that reports them ({@code GcInfo} of the JDK's
 * {@code com.sun.management} collector beans); without those beans (a runtime image without
 * {@code jdk.management}) or before the first collection, there is none, and the heap in use now is
 * taken, which counts garbage too and so errs on the safe side.
 *
 * <p>Not the pools' own {@code getCollectionUsage}: on JDK 17 and 25 the old generation's of G1, the
 * parallel and the serial collector stays 0 until a full collection, which an application may never
 * have, while it holds all of the live data (measured: 0 against 25 MB). The pause beans of ZGC and
 * Shenandoah report every pool at 0, and are passed over; ZGC's cycles report the heap in use at their
 * end, with what was allocated while they ran: more than is live, on the safe side.
 *
 * <p>The management beans are looked up at the first scrape, not at the agent's start, and never
 * make a collection happen.
 */
final class JvmHeap implements HeapHeadroom.Figures {
    private volatile Beans beans;
    /** Set when the beans cannot be had: the heap in use now is used from then on. */
    private volatile boolean beansMissing;

    @Override
    public long maxBytes() {
        return Runtime.getRuntime().maxMemory();
    }

    @Override
    public long usedNowBytes() {
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    @Override
    public HeapHeadroom.Collection lastCollection() {
        Beans found = beans();
        try {
            return found == null ? null : found.lastCollection();
        } catch (RuntimeException | LinkageError failed) {
            return null;
        }
    }

    @Override
    public long uptimeMillis() {
        Beans found = beans();
        return found == null ? 0 : found.runtime.getUptime();
    }

    @Override
    public boolean compressedOops() {
        Beans found = beans();
        return found != null && found.compressedOops;
    }

    private Beans beans() {
        Beans found = beans;
        if (found == null && !beansMissing) {
            try {
                found = new Beans();
                beans = found;
            } catch (RuntimeException | LinkageError absent) {
                beansMissing = true;
            }
        }
        return found;
    }

    /** The JDK's beans; a class of its own so that a JDK without them fails here, where it is caught. */
    private static final class Beans {
        final List<com.sun.management.GarbageCollectorMXBean> collectors =
                new ArrayList<com.sun.management.GarbageCollectorMXBean>();
        final Set<String> heapPools = new HashSet<String>();
        final RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
        final boolean compressedOops;

        Beans() {
            for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (collector instanceof com.sun.management.GarbageCollectorMXBean) {
                    collectors.add((com.sun.management.GarbageCollectorMXBean) collector);
                }
            }
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    heapPools.add(pool.getName());
                }
            }
            compressedOops = compressedOops();
        }

        private static boolean compressedOops() {
            try {
                HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
                return hotSpot != null && "true".equals(hotSpot.getVMOption("UseCompressedOops").getValue());
            } catch (RuntimeException | LinkageError notHotSpot) {
                return false;
            }
        }

        /** The latest collection that reports the heap's pools; null when none does yet. */
        HeapHeadroom.Collection lastCollection() {
            long latestEnd = Long.MIN_VALUE;
            long used = -1;
            for (com.sun.management.GarbageCollectorMXBean collector : collectors) {
                GcInfo last = collector.getLastGcInfo();
                if (last == null || last.getEndTime() < latestEnd) {
                    continue;
                }
                long heap = 0;
                for (Map.Entry<String, MemoryUsage> pool : last.getMemoryUsageAfterGc().entrySet()) {
                    if (heapPools.contains(pool.getKey())) {
                        heap += pool.getValue().getUsed();
                    }
                }
                if (heap > 0) {
                    latestEnd = last.getEndTime();
                    used = heap;
                }
            }
            return used < 0 ? null : new HeapHeadroom.Collection(latestEnd, used);
        }
    }
}
