package dev.dynamo.agent.internal.export;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one warning about JVM metrics a JVM cannot serve ({@code RuntimeImageIT} runs a real jlink image). */
class JvmMetricsTest {
    private static final List<String> NONE = Collections.emptyList();

    @Test
    void saysNothingWhenEverythingIsServed() {
        assertNull(JvmMetrics.warning(NONE, NONE, null));
        assertEquals(NONE, JvmMetrics.missingModules(), "this test JVM has every module");
    }

    @Test
    void namesEveryMissingModuleAtOnceWithTheCommandThatAddsThem() {
        assertEquals("JVM metrics not served: process_*, jvm_memory_*, jvm_buffer_pool_*, jvm_gc_collection_seconds,"
                + " jvm_threads_*, jvm_classes_*, jvm_info (all). This JVM runs without the modules"
                + " java.management, jdk.management (a runtime image made without them, or --limit-modules): add them"
                + " to the image (jlink --add-modules java.management,jdk.management) or to --limit-modules"
                + " (--limit-modules <yours>,java.management,jdk.management), or turn the JVM metrics off with"
                + " DYN_SYSTEM_JVM_METRICS=false",
                JvmMetrics.warning(Arrays.asList("process_*", "jvm_memory_*", "jvm_buffer_pool_*",
                        "jvm_gc_collection_seconds", "jvm_threads_*", "jvm_classes_*", "jvm_info"),
                        Arrays.asList("java.management", "jdk.management"),
                        new NoClassDefFoundError("java/lang/management/ManagementFactory")));
    }

    /** ProcessMetrics leaves these out when the process's operating-system bean lacks them. */
    @Test
    void namesTheProcessMetricsLeftOutWithoutJdkManagement() {
        assertEquals("JVM metrics not served: process_cpu_seconds_total, process_open_fds and process_max_fds. This"
                + " JVM runs without the module jdk.management (a runtime image made without it, or --limit-modules):"
                + " add it to the image (jlink --add-modules jdk.management) or to --limit-modules (--limit-modules"
                + " <yours>,jdk.management), or turn the JVM metrics off with DYN_SYSTEM_JVM_METRICS=false",
                JvmMetrics.warning(NONE, Collections.singletonList("jdk.management"), null));
    }

    @Test
    void givesWhatACollectorThrewWhenNoModuleIsMissing() {
        assertEquals("JVM metrics not served: jvm_gc_collection_seconds: java.lang.IllegalStateException: broken",
                JvmMetrics.warning(Collections.singletonList("jvm_gc_collection_seconds"), NONE,
                        new IllegalStateException("broken")));
    }

    /**
     * A JDK class whose initialisation failed earlier (an application that filled its heap, or took
     * every file descriptor, at that moment) fails every later use with a bare "Could not initialize
     * class": the warning says what that means, as a re-tester's run on JDK 17 showed it.
     */
    @Test
    void explainsAJdkClassWhoseInitialisationFailedEarlier() {
        String warning = JvmMetrics.warning(Collections.singletonList("process_*"), NONE, new NoClassDefFoundError(
                "Could not initialize class java.lang.management.ManagementFactory$PlatformMBeanFinder"));
        assertEquals("JVM metrics not served: process_*: java.lang.NoClassDefFoundError: Could not initialize class"
                + " java.lang.management.ManagementFactory$PlatformMBeanFinder. That JDK class failed its"
                + " initialisation earlier in this JVM, most often because the heap or the file descriptors ran out"
                + " at that moment, and the JVM never tries again: it is unusable for the JVM's life, to the"
                + " application too (docs/jvm-metrics.md)", warning);
    }

    /** The warm-up registers the collectors once: a scrape after it registers nothing twice (which would throw). */
    @Test
    void theWarmUpRegistersOnceAndAScrapeAfterItAddsNothing() {
        CollectorRegistry registry = new CollectorRegistry();
        JvmMetrics metrics = new JvmMetrics(registry, JvmThreadMetrics.NEVER);

        metrics.warmUp();
        metrics.registerMissing();
        metrics.warmUp();

        Set<String> families = new HashSet<String>();
        for (Collector.MetricFamilySamples family : Collections.list(registry.metricFamilySamples())) {
            assertTrue(families.add(family.name), "each family once: " + family.name);
        }
        assertTrue(families.contains("jvm") && families.contains("process_cpu_seconds")
                && families.contains("jvm_threads_current"), families.toString());
    }

    /**
     * A collector whose registration ran out of memory (an application that fills its heap in its
     * first moments, while the warm-up or the first scrape registers) is registered at the next
     * scrape. Before, its families were gone for the life of the JVM, most often without a warning (a
     * tester: 16 MB heaps filled from the first line of main, JDK 17 and 25, in most runs).
     */
    @Test
    void aCollectorWhoseRegistrationRanOutOfMemoryIsRegisteredAtTheNextScrape() {
        AtomicInteger registrations = new AtomicInteger();
        CollectorRegistry registry = new CollectorRegistry() {
            @Override
            public void register(Collector collector) {
                if (registrations.incrementAndGet() <= 3) {
                    throw new OutOfMemoryError("Java heap space");
                }
                super.register(collector);
            }
        };
        JvmMetrics metrics = new JvmMetrics(registry, JvmThreadMetrics.NEVER);

        metrics.registerMissing();
        Set<String> first = familyNames(registry);
        assertFalse(first.contains("process_cpu_seconds"), "the first three collectors ran out of memory: " + first);
        metrics.registerMissing();

        Set<String> families = familyNames(registry);
        assertTrue(families.contains("process_cpu_seconds") && families.contains("jvm_memory_bytes_used")
                && families.contains("jvm_buffer_pool_used_bytes") && families.contains("jvm_classes_loaded"),
                families.toString());
    }

    private static Set<String> familyNames(CollectorRegistry registry) {
        Set<String> families = new HashSet<String>();
        for (Collector.MetricFamilySamples family : Collections.list(registry.metricFamilySamples())) {
            assertTrue(families.add(family.name), "each family once: " + family.name);
        }
        return families;
    }

    /** Two scrapes at once register once: before, the second rendered without the JVM families while the first registered. */
    @Test
    void aScrapeDuringAnothersRegistrationWaitsForIt() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        AtomicInteger registrations = new AtomicInteger();
        CollectorRegistry registry = new CollectorRegistry() {
            @Override
            public void register(Collector collector) {
                super.register(collector);
                if (registrations.incrementAndGet() == 2) {
                    // The first scrape is halfway through the collectors.
                    inside.countDown();
                    try {
                        proceed.await();
                    } catch (InterruptedException stop) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        JvmMetrics metrics = new JvmMetrics(registry, JvmThreadMetrics.NEVER);
        Thread first = new Thread(metrics::registerMissing);
        first.start();
        assertTrue(inside.await(10, TimeUnit.SECONDS));

        Thread second = new Thread(metrics::registerMissing);
        second.start();
        second.join(300);
        assertTrue(second.isAlive(), "the second scrape waits while the first registers");
        proceed.countDown();
        second.join(10_000);
        first.join(10_000);

        Set<String> families = new HashSet<String>();
        for (Collector.MetricFamilySamples family : Collections.list(registry.metricFamilySamples())) {
            assertTrue(families.add(family.name), "each family once: " + family.name);
        }
        assertTrue(families.contains("jvm") && families.contains("process_cpu_seconds")
                && families.contains("jvm_classes_loaded"), families.toString());
    }
}
