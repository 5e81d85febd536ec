package dev.dynamo.agent.internal.export;

import dev.dynamo.agent.internal.ByteStreams;
import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.RuntimeMXBean;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code process_*} families of simpleclient_hotspot's {@code StandardExports}, with the same
 * names, help and values, without {@code java.util.logging}: that collector initialises it at the
 * first scrape (see {@link JvmMetrics}).
 *
 * <p>The CPU time and the file descriptors come from the JDK's {@code com.sun.management} beans
 * (module {@code jdk.management}), called through their exported interfaces, so that a runtime image
 * without that module still serves the rest; the memory sizes from {@code /proc/self/status} on
 * Linux, read as plain bytes (no NIO channel, no character decoder).
 */
final class ProcessMetrics extends Collector {
    static final String CPU = "process_cpu_seconds_total";
    static final String START_TIME = "process_start_time_seconds";
    static final String OPEN_FDS = "process_open_fds";
    static final String MAX_FDS = "process_max_fds";
    static final String VIRTUAL_MEMORY = "process_virtual_memory_bytes";
    static final String RESIDENT_MEMORY = "process_resident_memory_bytes";
    private static final String STATUS = "/proc/self/status";

    private final OperatingSystemMXBean os;
    private final RuntimeMXBean runtime;
    private final String statusFile;
    /** {@code getProcessCpuTime} of {@code com.sun.management.OperatingSystemMXBean}, or null without it. */
    private final Method processCpuTime;
    /** The file descriptor counts of {@code com.sun.management.UnixOperatingSystemMXBean}, or null without them. */
    private final Method openFds;
    private final Method maxFds;

    /**
     * @param statusFile the Linux process status file to read the memory sizes from, or null on
     *                   other systems
     */
    ProcessMetrics(OperatingSystemMXBean os, RuntimeMXBean runtime, String statusFile) {
        this.os = os;
        this.runtime = runtime;
        this.statusFile = statusFile;
        this.processCpuTime = beanMethod(os, "com.sun.management.OperatingSystemMXBean", "getProcessCpuTime");
        this.openFds = beanMethod(os, "com.sun.management.UnixOperatingSystemMXBean", "getOpenFileDescriptorCount");
        this.maxFds = beanMethod(os, "com.sun.management.UnixOperatingSystemMXBean", "getMaxFileDescriptorCount");
    }

    /** Of this JVM, reading {@code /proc/self/status} on Linux as {@code StandardExports} does. */
    static ProcessMetrics of(OperatingSystemMXBean os, RuntimeMXBean runtime) {
        return new ProcessMetrics(os, runtime, os.getName().startsWith("Linux") ? STATUS : null);
    }

    /**
     * Method {@code name} of the JDK interface {@code interfaceName} when {@code bean} implements it;
     * null when the JDK lacks it (a runtime image without {@code jdk.management}) or the bean is another's.
     */
    private static Method beanMethod(Object bean, String interfaceName, String name) {
        try {
            Class<?> type = Class.forName(interfaceName, false, null);
            return type.isInstance(bean) ? type.getMethod(name) : null;
        } catch (ClassNotFoundException | NoSuchMethodException | LinkageError absent) {
            return null;
        }
    }

    @Override
    public List<MetricFamilySamples> collect() {
        List<MetricFamilySamples> families = new ArrayList<MetricFamilySamples>(6);
        long cpuNanos = call(processCpuTime);
        if (cpuNanos >= 0) {
            families.add(new CounterMetricFamily(CPU, "Total user and system CPU time spent in seconds.",
                    cpuNanos / NANOSECONDS_PER_SECOND));
        }
        families.add(new GaugeMetricFamily(START_TIME, "Start time of the process since unix epoch in seconds.",
                runtime.getStartTime() / MILLISECONDS_PER_SECOND));
        if (openFds != null && maxFds != null) {
            families.add(new GaugeMetricFamily(OPEN_FDS, "Number of open file descriptors.", call(openFds)));
            families.add(new GaugeMetricFamily(MAX_FDS, "Maximum number of open file descriptors.", call(maxFds)));
        }
        if (statusFile != null) {
            addMemorySizes(families);
        }
        return families;
    }

    /** What {@code method} of the bean returns; -1 when it fails, as the JDK's beans answer what they cannot read. */
    private long call(Method method) {
        if (method == null) {
            return -1;
        }
        try {
            return ((Number) method.invoke(os)).longValue();
        } catch (IllegalAccessException | InvocationTargetException | RuntimeException failed) {
            return -1;
        }
    }

    /** The sizes of {@code VmSize} and {@code VmRSS} (in kB there); none when the file cannot be read. */
    private void addMemorySizes(List<MetricFamilySamples> families) {
        String status;
        try {
            status = read(statusFile);
        } catch (IOException unreadable) {
            // No descriptor free for a moment, say: the families are left out of this scrape only.
            return;
        }
        long virtualKb = kilobytes(status, "VmSize:");
        long residentKb = kilobytes(status, "VmRSS:");
        if (virtualKb >= 0) {
            families.add(new GaugeMetricFamily(VIRTUAL_MEMORY, "Virtual memory size in bytes.", virtualKb * 1024.0));
        }
        if (residentKb >= 0) {
            families.add(new GaugeMetricFamily(RESIDENT_MEMORY, "Resident memory size in bytes.", residentKb * 1024.0));
        }
    }

    private static String read(String file) throws IOException {
        try (InputStream in = new FileInputStream(file)) {
            return new String(ByteStreams.readAll(in, 4096), StandardCharsets.ISO_8859_1);
        }
    }

    /** The number after {@code key} at the start of a line of {@code status}, or -1 when there is none. */
    static long kilobytes(String status, String key) {
        int at = status.startsWith(key) ? 0 : status.indexOf("\n" + key);
        if (at < 0) {
            return -1;
        }
        int i = at + (at == 0 ? 0 : 1) + key.length();
        while (i < status.length() && (status.charAt(i) == ' ' || status.charAt(i) == '\t')) {
            i++;
        }
        long value = 0;
        int digits = 0;
        for (; i < status.length() && status.charAt(i) >= '0' && status.charAt(i) <= '9' && digits < 18; i++, digits++) {
            value = value * 10 + (status.charAt(i) - '0');
        }
        return digits == 0 ? -1 : value;
    }
}
