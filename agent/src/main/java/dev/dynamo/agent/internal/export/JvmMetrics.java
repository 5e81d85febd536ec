package dev.dynamo.agent.internal.export;

import dev.dynamo.agent.internal.log.AgentLog;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.hotspot.ClassLoadingExports;
import io.prometheus.client.hotspot.GarbageCollectorExports;
import io.prometheus.client.hotspot.MemoryPoolsExports;
import io.prometheus.client.hotspot.VersionInfoExports;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The {@code jvm_*} and {@code process_*} metrics of simpleclient_hotspot, registered after premain
 * so that premain stays short: by {@link #warmUp} on the server's thread before it serves, or at the
 * first scrape, whichever comes first.
 *
 * <p>The agent never initialises {@code java.util.logging}: an application may choose its
 * {@code LogManager} after the agent started ({@code java.util.logging.manager}, set in {@code main}
 * or later, as JBoss LogManager's users do), which a LogManager initialised earlier ignores for good,
 * and a LogManager whose initialisation failed (no file descriptor free at that moment) stays
 * failed for the application. simpleclient_hotspot's {@code StandardExports} and
 * {@code BufferPoolsExports} log through it, so their families come from {@link ProcessMetrics} and
 * {@link BufferPoolMetrics}, under the same names.
 *
 * <p>None of them runs a VM operation: the thread families come
 * from {@link JvmThreadMetrics} instead of {@code ThreadExports}, whose deadlock detection stops
 * the JVM at every scrape; the others read counters ({@code -Xlog:safepoint} shows no safepoint for
 * them). {@code MemoryAllocationExports} is left out: it installs a GC notification listener in the
 * host and exposes {@code _created} series.
 *
 * <p>Each collector is registered on its own, so that one the JVM cannot run leaves out only its own
 * families. A runtime image made with {@code jlink} may lack modules they need: one warning names
 * what is not served and every module to add at once.
 */
public final class JvmMetrics {
    private static final AgentLog LOG = AgentLog.get(JvmMetrics.class);
    /** The families of each collector, in the order {@link #collector} makes them. */
    private static final String[] FAMILIES = {
        "process_*", "jvm_memory_*", "jvm_buffer_pool_*", "jvm_gc_collection_seconds", "jvm_threads_*",
        "jvm_classes_*", "jvm_info",
    };
    /** Modules the collectors need, each with a class of its own: (module, class). */
    private static final String[][] MODULES = {
        {"java.management", "java.lang.management.ManagementFactory"},
        // The process's CPU time and file descriptors: without it ProcessMetrics leaves them out.
        {"jdk.management", "com.sun.management.OperatingSystemMXBean"},
    };
    private static final String FAILED_INITIALISATION = ". That JDK class failed its initialisation earlier in"
            + " this JVM, most often because the heap or the file descriptors ran out at that moment, and the JVM"
            + " never tries again: it is unusable for the JVM's life, to the application too (docs/jvm-metrics.md)";
    private static final String WITHOUT_JDK_MANAGEMENT = "process_cpu_seconds_total, process_open_fds and"
            + " process_max_fds";

    private final CollectorRegistry registry;
    private final long deadlockIntervalMillis;
    /**
     * By family, whether its collector is registered or given up. Guarded by {@code this}: a scrape
     * waits while another (or the warm-up) registers, or it would render without them.
     */
    private final boolean[] settled = new boolean[FAMILIES.length];
    /** Guarded by {@code this}: whether every family is settled. */
    private boolean allSettled;
    /** Guarded by {@code this}: whether the runtime's modules were looked at (for the first warning). */
    private boolean modulesChecked;
    /** The collectors {@link #registerMissing} registered; complete once it has returned. */
    private final List<Collector> collectors = new CopyOnWriteArrayList<Collector>();

    /**
     * @param deadlockIntervalMillis the shortest time between two runs of the JVM's deadlock detection,
     *                               or {@link JvmThreadMetrics#NEVER}
     */
    public JvmMetrics(CollectorRegistry registry, long deadlockIntervalMillis) {
        this.registry = registry;
        this.deadlockIntervalMillis = deadlockIntervalMillis;
    }

    /**
     * Registers the collectors not registered yet: called before each scrape, and nothing to do once
     * all are. One whose registration ran out of memory (an application that fills its heap in its
     * first moments) is tried again at the next call; before, its families were gone for the life of
     * the JVM, most often without a word. One that fails otherwise (a module the runtime lacks) is
     * given up, and one warning names every family not served.
     */
    public synchronized void registerMissing() {
        if (allSettled) {
            return;
        }
        List<String> notServed = new ArrayList<String>(FAMILIES.length);
        Throwable firstFailure = null;
        boolean retry = false;
        for (int i = 0; i < FAMILIES.length; i++) {
            if (settled[i]) {
                continue;
            }
            try {
                collectors.add(collector(i).register(registry));
                settled[i] = true;
            } catch (OutOfMemoryError noMemory) {
                // Allocates nothing: the next scrape tries again.
                retry = true;
            } catch (Throwable failed) {
                settled[i] = true;
                notServed.add(FAMILIES[i]);
                firstFailure = firstFailure == null ? failed : firstFailure;
            }
        }
        allSettled = !retry;
        List<String> missingModules = modulesChecked ? new ArrayList<String>() : missingModules();
        modulesChecked = true;
        String warning = warning(notServed, missingModules, firstFailure);
        if (warning != null) {
            LOG.warn(warning);
        }
    }

    /**
     * Registers the collectors and collects them once, discarding what they give, so that the JDK
     * classes they use are loaded and initialised now, while the application has file descriptors to
     * spare: {@code java.lang.management} (which loads its native library), the operating-system bean
     * (which reads the container's cgroup files through NIO on JDK 17, initialising its file
     * dispatcher). A JDK class whose initialisation fails (at a first scrape that comes at the moment
     * the application has no descriptor left) stays unusable for the life of the JVM, to the
     * application too. None of them initialises {@code java.util.logging}. Never throws; the first
     * scrape registers what this did not.
     */
    public void warmUp() {
        try {
            registerMissing();
            for (Collector collector : collectors) {
                collector.collect();
            }
        } catch (Throwable failed) {
            LOG.debug("collecting the JVM metrics ahead of the first scrape failed: " + failed);
        }
    }

    private Collector collector(int index) {
        switch (index) {
            case 0: return ProcessMetrics.of(ManagementFactory.getOperatingSystemMXBean(),
                    ManagementFactory.getRuntimeMXBean());
            case 1: return new MemoryPoolsExports();
            case 2: return new BufferPoolMetrics(ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class));
            case 3: return new GarbageCollectorExports();
            case 4: return new JvmThreadMetrics(ManagementFactory.getThreadMXBean(), deadlockIntervalMillis);
            case 5: return new ClassLoadingExports();
            default: return new VersionInfoExports();
        }
    }

    /**
     * Whether {@code failure} is the JVM refusing a class whose static initialisation failed before: it
     * marks such a class erroneous and never runs its initialiser again.
     */
    private static boolean isFailedInitialisation(Throwable failure) {
        return failure instanceof NoClassDefFoundError
                && String.valueOf(failure.getMessage()).startsWith("Could not initialize class");
    }

    /** The modules of {@link #MODULES} this JVM lacks. */
    static List<String> missingModules() {
        List<String> missing = new ArrayList<String>();
        for (String[] module : MODULES) {
            try {
                Class.forName(module[1], false, null);
            } catch (ClassNotFoundException | LinkageError absent) {
                missing.add(module[0]);
            }
        }
        return missing;
    }

    /**
     * The one warning about JVM metrics not served, or null when all are.
     *
     * @param notServed the families whose collectors failed
     * @param missingModules the modules of {@link #MODULES} the JVM lacks
     * @param firstFailure what the first failed collector threw, or null
     */
    static String warning(List<String> notServed, List<String> missingModules, Throwable firstFailure) {
        List<String> lost = new ArrayList<String>(notServed);
        if (missingModules.contains("jdk.management") && !lost.contains("process_*")) {
            lost.add(WITHOUT_JDK_MANAGEMENT);
        }
        if (lost.isEmpty()) {
            return null;
        }
        String what = "JVM metrics not served: " + join(lost) + (lost.size() == FAMILIES.length ? " (all)" : "");
        if (missingModules.isEmpty()) {
            return what + ": " + firstFailure + (isFailedInitialisation(firstFailure) ? FAILED_INITIALISATION : "");
        }
        String modules = join(missingModules).replace(", ", ",");
        String them = missingModules.size() == 1 ? "it" : "them";
        // Left out of the modules this JVM resolved: by a runtime image made without them, or by --limit-modules
        // on a full JDK, whose fix is not an image (a re-tester's modular application, JDK 17 and 25).
        return what + ". This JVM runs without the module" + (missingModules.size() == 1 ? " " : "s ")
                + join(missingModules) + " (a runtime image made without " + them + ", or --limit-modules): add "
                + them + " to the image (jlink --add-modules " + modules + ") or to --limit-modules (--limit-modules"
                + " <yours>," + modules + "), or turn the JVM metrics off with DYN_SYSTEM_JVM_METRICS=false";
    }

    private static String join(List<String> items) {
        StringBuilder joined = new StringBuilder();
        for (String item : items) {
            joined.append(joined.length() == 0 ? "" : ", ").append(item);
        }
        return joined.toString();
    }
}
