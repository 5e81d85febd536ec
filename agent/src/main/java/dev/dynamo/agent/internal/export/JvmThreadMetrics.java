package dev.dynamo.agent.internal.export;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.Predicate;

import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The {@code jvm_threads_*} families of simpleclient_hotspot's {@code ThreadExports}, read without
 * stopping the application.
 *
 * <p>{@code ThreadExports} runs the JVM's deadlock detection at every scrape (two {@code FindDeadlocks}
 * safepoints, which pause every application thread) and reads thread states with
 * {@code ThreadMXBean.getThreadInfo}, whose cost grows with the number of threads (about 4 ms for
 * 3,000 threads on JDK 17, 75 ms on JDK 25). Here the counts come from the thread bean's counters,
 * the states from {@link Thread#getState()} of the threads the root thread group lists (neither is
 * a VM operation), and deadlock detection runs only when turned on, at most once per interval, its
 * result kept in between.
 */
public final class JvmThreadMetrics extends Collector implements Collector.Describable {
    static final String CURRENT = "jvm_threads_current";
    static final String DAEMON = "jvm_threads_daemon";
    static final String PEAK = "jvm_threads_peak";
    static final String STARTED = "jvm_threads_started_total";
    static final String DEADLOCKED = "jvm_threads_deadlocked";
    static final String DEADLOCKED_MONITOR = "jvm_threads_deadlocked_monitor";
    static final String STATE = "jvm_threads_state";
    /** {@code ThreadExports} counted threads that ended between its two calls here; kept at 0 so the series stay. */
    static final String UNKNOWN_STATE = "UNKNOWN";
    /** Deadlock detection is off. */
    public static final long NEVER = -1;

    private static final String CURRENT_HELP = "Current thread count of a JVM";
    private static final String DAEMON_HELP = "Daemon thread count of a JVM";
    private static final String PEAK_HELP = "Peak thread count of a JVM";
    private static final String STARTED_HELP = "Started thread count of a JVM";
    private static final String DEADLOCKED_HELP =
            "Cycles of JVM-threads that are in deadlock waiting to acquire object monitors or ownable synchronizers";
    private static final String DEADLOCKED_MONITOR_HELP =
            "Cycles of JVM-threads that are in deadlock waiting to acquire object monitors";
    private static final String STATE_HELP = "Current count of threads by state";
    private static final Thread.State[] STATES = Thread.State.values();

    private final ThreadMXBean threads;
    private final long deadlockIntervalNanos;
    private final Clock clock;
    private final ThreadGroup root;

    private boolean deadlocksDetected;
    private long lastDetection;
    private double deadlocked;
    private double deadlockedOnMonitors;

    /** Reads the nanosecond clock; replaced in tests. */
    interface Clock {
        long nanoTime();
    }

    /**
     * @param deadlockIntervalMillis the shortest time between two runs of the JVM's deadlock detection
     *                               (0: every scrape), or {@link #NEVER} to leave the deadlock families out
     */
    public JvmThreadMetrics(ThreadMXBean threads, long deadlockIntervalMillis) {
        this(threads, deadlockIntervalMillis, new Clock() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }
        });
    }

    JvmThreadMetrics(ThreadMXBean threads, long deadlockIntervalMillis, Clock clock) {
        this.threads = threads;
        this.deadlockIntervalNanos = deadlockIntervalMillis < 0 ? NEVER : deadlockIntervalMillis * 1_000_000L;
        this.clock = clock;
        this.root = rootGroup();
    }

    @Override
    public List<MetricFamilySamples> collect() {
        return collect(null);
    }

    @Override
    public List<MetricFamilySamples> collect(Predicate<String> sampleNames) {
        List<MetricFamilySamples> families = new ArrayList<MetricFamilySamples>(7);
        if (wanted(sampleNames, CURRENT)) {
            families.add(new GaugeMetricFamily(CURRENT, CURRENT_HELP, threads.getThreadCount()));
        }
        if (wanted(sampleNames, DAEMON)) {
            families.add(new GaugeMetricFamily(DAEMON, DAEMON_HELP, threads.getDaemonThreadCount()));
        }
        if (wanted(sampleNames, PEAK)) {
            families.add(new GaugeMetricFamily(PEAK, PEAK_HELP, threads.getPeakThreadCount()));
        }
        if (wanted(sampleNames, STARTED)) {
            families.add(new CounterMetricFamily(STARTED, STARTED_HELP, threads.getTotalStartedThreadCount()));
        }
        boolean deadlocks = deadlockIntervalNanos != NEVER;
        if (deadlocks && (wanted(sampleNames, DEADLOCKED) || wanted(sampleNames, DEADLOCKED_MONITOR))) {
            double[] found = deadlocks();
            if (wanted(sampleNames, DEADLOCKED)) {
                families.add(new GaugeMetricFamily(DEADLOCKED, DEADLOCKED_HELP, found[0]));
            }
            if (wanted(sampleNames, DEADLOCKED_MONITOR)) {
                families.add(new GaugeMetricFamily(DEADLOCKED_MONITOR, DEADLOCKED_MONITOR_HELP, found[1]));
            }
        }
        if (wanted(sampleNames, STATE)) {
            families.add(states());
        }
        return families;
    }

    @Override
    public List<MetricFamilySamples> describe() {
        List<MetricFamilySamples> families = new ArrayList<MetricFamilySamples>(7);
        families.add(new GaugeMetricFamily(CURRENT, CURRENT_HELP, Collections.<String>emptyList()));
        families.add(new GaugeMetricFamily(DAEMON, DAEMON_HELP, Collections.<String>emptyList()));
        families.add(new GaugeMetricFamily(PEAK, PEAK_HELP, Collections.<String>emptyList()));
        families.add(new CounterMetricFamily(STARTED, STARTED_HELP, Collections.<String>emptyList()));
        if (deadlockIntervalNanos != NEVER) {
            families.add(new GaugeMetricFamily(DEADLOCKED, DEADLOCKED_HELP, Collections.<String>emptyList()));
            families.add(new GaugeMetricFamily(DEADLOCKED_MONITOR, DEADLOCKED_MONITOR_HELP,
                    Collections.<String>emptyList()));
        }
        families.add(new GaugeMetricFamily(STATE, STATE_HELP, Collections.singletonList("state")));
        return families;
    }

    private static boolean wanted(Predicate<String> sampleNames, String name) {
        return sampleNames == null || sampleNames.test(name);
    }

    /** The two deadlock counts, detected anew once the interval since the last detection has passed. */
    private synchronized double[] deadlocks() {
        long now = clock.nanoTime();
        if (!deadlocksDetected || now - lastDetection >= deadlockIntervalNanos) {
            deadlocked = length(threads.findDeadlockedThreads());
            deadlockedOnMonitors = length(threads.findMonitorDeadlockedThreads());
            lastDetection = now;
            deadlocksDetected = true;
        }
        return new double[] {deadlocked, deadlockedOnMonitors};
    }

    private static double length(long[] ids) {
        return ids == null ? 0 : ids.length;
    }

    private GaugeMetricFamily states() {
        int[] counts = new int[STATES.length];
        Thread[] live = liveThreads();
        for (Thread thread : live) {
            if (thread != null) {
                counts[thread.getState().ordinal()]++;
            }
        }
        GaugeMetricFamily family = new GaugeMetricFamily(STATE, STATE_HELP, Collections.singletonList("state"));
        for (Thread.State state : STATES) {
            family.addMetric(Collections.singletonList(state.name()), counts[state.ordinal()]);
        }
        family.addMetric(Collections.singletonList(UNKNOWN_STATE), 0);
        return family;
    }

    /** The live threads, read from the thread groups: no thread dump, no safepoint. */
    private Thread[] liveThreads() {
        int size = root.activeCount() + 16;
        while (true) {
            Thread[] live = new Thread[size];
            int found = root.enumerate(live, true);
            if (found < size) {
                return live;
            }
            size = found * 2;
        }
    }

    private static ThreadGroup rootGroup() {
        ThreadGroup group = Thread.currentThread().getThreadGroup();
        while (group.getParent() != null) {
            group = group.getParent();
        }
        return group;
    }
}
