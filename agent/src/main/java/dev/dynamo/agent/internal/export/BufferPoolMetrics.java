package dev.dynamo.agent.internal.export;

import io.prometheus.client.Collector;
import io.prometheus.client.GaugeMetricFamily;

import java.lang.management.BufferPoolMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The {@code jvm_buffer_pool_*} families of simpleclient_hotspot's {@code BufferPoolsExports}, with
 * the same names, help and values, without {@code java.util.logging}, which that collector
 * initialises at the first scrape (see {@link JvmMetrics}).
 */
final class BufferPoolMetrics extends Collector {
    static final String USED_BYTES = "jvm_buffer_pool_used_bytes";
    static final String CAPACITY_BYTES = "jvm_buffer_pool_capacity_bytes";
    static final String USED_BUFFERS = "jvm_buffer_pool_used_buffers";

    private final List<BufferPoolMXBean> pools;

    BufferPoolMetrics(List<BufferPoolMXBean> pools) {
        this.pools = new ArrayList<BufferPoolMXBean>(pools);
    }

    @Override
    public List<MetricFamilySamples> collect() {
        List<String> pool = Collections.singletonList("pool");
        GaugeMetricFamily used = new GaugeMetricFamily(USED_BYTES, "Used bytes of a given JVM buffer pool.", pool);
        GaugeMetricFamily capacity = new GaugeMetricFamily(CAPACITY_BYTES, "Bytes capacity of a given JVM buffer pool.",
                pool);
        GaugeMetricFamily buffers = new GaugeMetricFamily(USED_BUFFERS, "Used buffers of a given JVM buffer pool.", pool);
        for (BufferPoolMXBean bean : pools) {
            List<String> name = Collections.singletonList(bean.getName());
            used.addMetric(name, bean.getMemoryUsed());
            capacity.addMetric(name, bean.getTotalCapacity());
            buffers.addMetric(name, bean.getCount());
        }
        List<MetricFamilySamples> families = new ArrayList<MetricFamilySamples>(3);
        families.add(used);
        families.add(capacity);
        families.add(buffers);
        return families;
    }
}
