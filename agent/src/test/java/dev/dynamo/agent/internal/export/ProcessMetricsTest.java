package dev.dynamo.agent.internal.export;

import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.hotspot.BufferPoolsExports;
import io.prometheus.client.hotspot.StandardExports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The process and buffer-pool families served in place of simpleclient_hotspot's, which initialise
 * {@code java.util.logging}: the same families, types, help and labels, with the same values
 * ({@code HostSafetyIT} shows a real JVM's LogManager left to the application).
 */
class ProcessMetricsTest {

    @Test
    void servesTheFamiliesOfStandardExportsWithTheSameValues() {
        List<MetricFamilySamples> theirs = new StandardExports().collect();
        List<MetricFamilySamples> ours = ProcessMetrics.of(ManagementFactory.getOperatingSystemMXBean(),
                ManagementFactory.getRuntimeMXBean()).collect();

        assertEquals(describe(theirs), describe(ours));
        Map<String, Double> theirValues = values(theirs);
        Map<String, Double> ourValues = values(ours);
        assertEquals(theirValues.get(ProcessMetrics.START_TIME), ourValues.get(ProcessMetrics.START_TIME));
        assertEquals(theirValues.get(ProcessMetrics.MAX_FDS), ourValues.get(ProcessMetrics.MAX_FDS));
        assertClose(theirValues.get(ProcessMetrics.OPEN_FDS), ourValues.get(ProcessMetrics.OPEN_FDS), 5);
        assertClose(theirValues.get(ProcessMetrics.CPU), ourValues.get(ProcessMetrics.CPU), 1);
        double rss = theirValues.get(ProcessMetrics.RESIDENT_MEMORY);
        assertClose(rss, ourValues.get(ProcessMetrics.RESIDENT_MEMORY), rss / 10);
        double virtual = theirValues.get(ProcessMetrics.VIRTUAL_MEMORY);
        assertClose(virtual, ourValues.get(ProcessMetrics.VIRTUAL_MEMORY), virtual / 10);
    }

    @Test
    void servesTheFamiliesOfBufferPoolsExportsWithTheSameValues() {
        List<MetricFamilySamples> theirs = new BufferPoolsExports().collect();
        List<MetricFamilySamples> ours =
                new BufferPoolMetrics(ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)).collect();

        assertEquals(describe(theirs), describe(ours));
        assertEquals(values(theirs).keySet(), values(ours).keySet());
        assertTrue(values(ours).containsKey(BufferPoolMetrics.USED_BYTES + "{pool=direct}"), values(ours).toString());
    }

    @Test
    void readsTheMemorySizesInKilobytesOfTheStatusFile(@TempDir Path directory) throws IOException {
        Path status = directory.resolve("status");
        // More than a float holds exactly: StandardExports rounded such sizes.
        Files.write(status, ("Name:\tjava\nVmPeak:\t 99999999 kB\nVmSize:\t123456789 kB\nVmLck:\t       0 kB\n"
                + "VmRSS:\t   56789 kB\nThreads:\t12\n").getBytes(StandardCharsets.ISO_8859_1));
        Map<String, Double> values = values(new ProcessMetrics(ManagementFactory.getOperatingSystemMXBean(),
                ManagementFactory.getRuntimeMXBean(), status.toString()).collect());

        assertEquals(123456789 * 1024.0, values.get(ProcessMetrics.VIRTUAL_MEMORY));
        assertEquals(56789 * 1024.0, values.get(ProcessMetrics.RESIDENT_MEMORY));
    }

    @Test
    void leavesOutWhatItCannotRead(@TempDir Path directory) {
        // Another vendor's bean, or a runtime image without jdk.management: no CPU time, no descriptors.
        OperatingSystemMXBean plain = (OperatingSystemMXBean) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {OperatingSystemMXBean.class}, (proxy, method, arguments) -> {
                    throw new UnsupportedOperationException(method.getName());
                });
        List<MetricFamilySamples> families = new ProcessMetrics(plain, ManagementFactory.getRuntimeMXBean(),
                directory.resolve("no-such-status").toString()).collect();

        assertEquals(List.of(ProcessMetrics.START_TIME + " gauge \"Start time of the process since unix epoch in"
                + " seconds.\""), describe(families));
    }

    @Test
    void findsAKeyOnlyAtTheStartOfALine() {
        assertEquals(7, ProcessMetrics.kilobytes("VmSize: 7 kB\n", "VmSize:"));
        assertEquals(-1, ProcessMetrics.kilobytes("XVmSize: 7 kB\n", "VmSize:"));
        assertEquals(-1, ProcessMetrics.kilobytes("VmSize: kB\n", "VmSize:"));
        assertEquals(42, ProcessMetrics.kilobytes("A: 1\nVmRSS:\t42 kB", "VmRSS:"));
    }

    private static void assertClose(double expected, double actual, double tolerance) {
        assertTrue(Math.abs(expected - actual) <= tolerance, expected + " vs " + actual);
    }

    /** Each family as "name type \"help\" [label names]". */
    private static List<String> describe(List<MetricFamilySamples> families) {
        List<String> described = new ArrayList<>();
        for (MetricFamilySamples family : families) {
            described.add(family.name + " " + family.type.name().toLowerCase() + " \"" + family.help + "\""
                    + (family.samples.isEmpty() ? "" : labelNames(family)));
        }
        return described;
    }

    private static String labelNames(MetricFamilySamples family) {
        List<String> names = family.samples.get(0).labelNames;
        return names.isEmpty() ? "" : " " + names;
    }

    /** Each sample's value under "name{label=value,...}". */
    private static Map<String, Double> values(List<MetricFamilySamples> families) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (MetricFamilySamples family : families) {
            for (Collector.MetricFamilySamples.Sample sample : family.samples) {
                StringBuilder key = new StringBuilder(sample.name);
                for (int i = 0; i < sample.labelNames.size(); i++) {
                    key.append(i == 0 ? "{" : ",").append(sample.labelNames.get(i)).append('=')
                            .append(sample.labelValues.get(i));
                }
                values.put(sample.labelNames.isEmpty() ? key.toString() : key.append('}').toString(), sample.value);
            }
        }
        return values;
    }
}
