package dev.dynamo.agent.internal.export;

import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.CollectorRegistry;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class JvmThreadMetricsTest {
    private static final ThreadMXBean REAL = ManagementFactory.getThreadMXBean();
    private static final List<String> COUNT_FAMILIES = Arrays.asList(
            "jvm_threads_current", "jvm_threads_daemon", "jvm_threads_peak", "jvm_threads_started");

    /** The real thread bean, except that deadlock detection is counted and answers {@code deadlocked}. */
    private static final class CountingBean {
        final AtomicInteger detections = new AtomicInteger();
        final AtomicInteger threadInfoCalls = new AtomicInteger();
        volatile long[] deadlocked;

        ThreadMXBean bean() {
            return (ThreadMXBean) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {ThreadMXBean.class}, (proxy, method, args) -> {
                        String name = method.getName();
                        if (name.equals("findDeadlockedThreads") || name.equals("findMonitorDeadlockedThreads")) {
                            detections.incrementAndGet();
                            return deadlocked;
                        }
                        if (name.equals("getThreadInfo") || name.equals("dumpAllThreads")) {
                            threadInfoCalls.incrementAndGet();
                        }
                        try {
                            return method.invoke(REAL, args);
                        } catch (InvocationTargetException thrown) {
                            throw thrown.getCause();
                        }
                    });
        }
    }

    private static MetricFamilySamples family(List<MetricFamilySamples> families, String name) {
        for (MetricFamilySamples family : families) {
            if (family.name.equals(name)) {
                return family;
            }
        }
        return fail("no family " + name + " in " + names(families));
    }

    private static Set<String> names(List<MetricFamilySamples> families) {
        Set<String> names = new HashSet<String>();
        for (MetricFamilySamples family : families) {
            names.add(family.name);
        }
        return names;
    }

    private static double state(List<MetricFamilySamples> families, String state) {
        for (MetricFamilySamples.Sample sample : family(families, "jvm_threads_state").samples) {
            if (sample.labelValues.equals(Collections.singletonList(state))) {
                return sample.value;
            }
        }
        return fail("no jvm_threads_state sample for " + state);
    }

    @Test
    void exposesTheThreadCountsAndStatesWithoutDetectingDeadlocksByDefault() {
        CountingBean counting = new CountingBean();

        List<MetricFamilySamples> families = new JvmThreadMetrics(counting.bean(), JvmThreadMetrics.NEVER).collect();

        Set<String> expected = new HashSet<String>(COUNT_FAMILIES);
        expected.add("jvm_threads_state");
        assertEquals(expected, names(families));
        assertEquals(0, counting.detections.get());
        assertEquals(0, counting.threadInfoCalls.get(), "thread states must not come from a thread dump");
        assertTrue(family(families, "jvm_threads_current").samples.get(0).value >= 1);
        assertEquals("jvm_threads_started_total", family(families, "jvm_threads_started").samples.get(0).name);
        List<String> states = new ArrayList<String>();
        for (MetricFamilySamples.Sample sample : family(families, "jvm_threads_state").samples) {
            states.add(sample.labelValues.get(0));
        }
        List<String> expectedStates = new ArrayList<String>();
        for (Thread.State state : Thread.State.values()) {
            expectedStates.add(state.name());
        }
        expectedStates.add("UNKNOWN");
        assertEquals(expectedStates, states);
    }

    @Test
    void countsThreadsInTheStateTheyAreIn() throws Exception {
        JvmThreadMetrics metrics = new JvmThreadMetrics(REAL, JvmThreadMetrics.NEVER);
        double blockedBefore = state(metrics.collect(), "BLOCKED");
        Object monitor = new Object();
        List<Thread> blocked = new ArrayList<Thread>();
        synchronized (monitor) {
            for (int i = 0; i < 5; i++) {
                Thread thread = new Thread(() -> {
                    synchronized (monitor) {
                        monitor.hashCode();
                    }
                }, "blocked-" + i);
                thread.setDaemon(true);
                thread.start();
                blocked.add(thread);
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            for (Thread thread : blocked) {
                while (thread.getState() != Thread.State.BLOCKED && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
            }

            assertTrue(state(metrics.collect(), "BLOCKED") >= blockedBefore + 5);
        }
        for (Thread thread : blocked) {
            thread.join(10_000);
        }
    }

    @Test
    void detectsDeadlocksAtMostOncePerIntervalAndKeepsTheResultInBetween() {
        CountingBean counting = new CountingBean();
        counting.deadlocked = new long[] {11, 12};
        AtomicLong now = new AtomicLong(5_000_000_000L);
        JvmThreadMetrics metrics = new JvmThreadMetrics(counting.bean(), 1000, now::get);

        List<MetricFamilySamples> first = metrics.collect();
        assertEquals(2, counting.detections.get(), "findDeadlockedThreads and findMonitorDeadlockedThreads");
        assertEquals(2.0, family(first, "jvm_threads_deadlocked").samples.get(0).value);
        assertEquals(2.0, family(first, "jvm_threads_deadlocked_monitor").samples.get(0).value);

        counting.deadlocked = null;
        now.addAndGet(999_000_000L);
        List<MetricFamilySamples> cached = metrics.collect();
        assertEquals(2, counting.detections.get());
        assertEquals(2.0, family(cached, "jvm_threads_deadlocked").samples.get(0).value);

        now.addAndGet(1_000_000L);
        List<MetricFamilySamples> fresh = metrics.collect();
        assertEquals(4, counting.detections.get());
        assertEquals(0.0, family(fresh, "jvm_threads_deadlocked").samples.get(0).value);
        assertEquals(0.0, family(fresh, "jvm_threads_deadlocked_monitor").samples.get(0).value);
    }

    @Test
    void detectsDeadlocksAtEveryScrapeWithAZeroInterval() {
        CountingBean counting = new CountingBean();
        JvmThreadMetrics metrics = new JvmThreadMetrics(counting.bean(), 0, () -> 42L);

        metrics.collect();
        metrics.collect();

        assertEquals(4, counting.detections.get());
    }

    @Test
    void collectsOnlyTheFamiliesAFilterAsksFor() {
        CountingBean counting = new CountingBean();
        JvmThreadMetrics metrics = new JvmThreadMetrics(counting.bean(), 0);

        List<MetricFamilySamples> families = metrics.collect(name -> name.equals("jvm_threads_current"));

        assertEquals(Collections.singleton("jvm_threads_current"), names(families));
        assertEquals(0, counting.detections.get());
    }

    @Test
    void describesTheFamiliesItCollects() {
        JvmThreadMetrics withDeadlocks = new JvmThreadMetrics(REAL, 60_000);
        JvmThreadMetrics withoutDeadlocks = new JvmThreadMetrics(REAL, JvmThreadMetrics.NEVER);

        assertEquals(names(withDeadlocks.collect()), names(withDeadlocks.describe()));
        assertEquals(names(withoutDeadlocks.collect()), names(withoutDeadlocks.describe()));
        assertTrue(names(withDeadlocks.describe()).contains("jvm_threads_deadlocked"));
    }

    @Test
    void servesTheFamiliesThroughARegistryThatFiltersByName() {
        CollectorRegistry registry = new CollectorRegistry(true);
        new JvmThreadMetrics(REAL, JvmThreadMetrics.NEVER).register(registry);

        assertTrue(registry.getSampleValue("jvm_threads_current") >= 1);
        assertTrue(registry.getSampleValue("jvm_threads_started_total") >= 1);
        assertNull(registry.getSampleValue("jvm_threads_deadlocked"));
    }
}
