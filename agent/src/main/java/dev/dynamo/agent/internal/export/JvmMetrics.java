package dev.dynamo.agent.internal.export;

import dev.dynamo.agent.internal.log.AgentLog;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.hotspot.BufferPoolsExports;
import io.prometheus.client.hotspot.ClassLoadingExports;
import io.prometheus.client.hotspot.GarbageCollectorExports;
import io.prometheus.client.hotspot.MemoryPoolsExports;
import io.prometheus.client.hotspot.StandardExports;
import io.prometheus.client.hotspot.VersionInfoExports;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code jvm_*} and {@code process_*} metrics of simpleclient_hotspot, registered at the first
 * scrape so that premain stays short. None of them runs a VM operation: the thread families come
 * from {@link JvmThreadMetrics} instead of {@code ThreadExports}, whose deadlock detection stops
 * the JVM at every scrape; the others read counters ({@code -Xlog:safepoint} shows no safepoint for
 * them). {@code MemoryAllocationExports} is left out: it installs a GC notification listener in the
 * host and exposes {@code _created} series.
 */
public final class JvmMetrics {
    private static final AgentLog LOG = AgentLog.get(JvmMetrics.class);

    private final CollectorRegistry registry;
    private final long deadlockIntervalMillis;
    private final AtomicBoolean registered = new AtomicBoolean();

    /**
     * @param deadlockIntervalMillis the shortest time between two runs of the JVM's deadlock detection,
     *                               or {@link JvmThreadMetrics#NEVER}
     */
    public JvmMetrics(CollectorRegistry registry, long deadlockIntervalMillis) {
        this.registry = registry;
        this.deadlockIntervalMillis = deadlockIntervalMillis;
    }

    /** Registers the collectors, once; later calls do nothing. */
    public void registerOnce() {
        if (!registered.compareAndSet(false, true)) {
            return;
        }
        try {
            new StandardExports().register(registry);
            new MemoryPoolsExports().register(registry);
            new BufferPoolsExports().register(registry);
            new GarbageCollectorExports().register(registry);
            new JvmThreadMetrics(ManagementFactory.getThreadMXBean(), deadlockIntervalMillis).register(registry);
            new ClassLoadingExports().register(registry);
            new VersionInfoExports().register(registry);
        } catch (Throwable failed) {
            LOG.warn("JVM metrics are incomplete: " + failed);
        }
    }
}
