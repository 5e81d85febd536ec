package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.internal.instrumentation.EndpointRecording;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Connects the copies of the API in a JVM to the agent.
 *
 * <p>The agent puts one copy on the bootstrap class path; it is the <em>primary</em> copy, and
 * normally every class loader finds it first. A child-first class loader (an application server,
 * some fat-jar launchers) may still load its own copy from the application's jar. Such a
 * <em>foreign</em> copy finds the primary one through the bootstrap loader and registers a
 * snapshot supplier with it. Copies share no types, so snapshots cross as JDK types only.
 */
public final class ExportBridge {
    private static volatile boolean agentAttached;
    /** Whether this copy is not the primary one and has registered its store with it. Guarded by the class. */
    private static boolean connectedAsForeign;
    /**
     * Held weakly: each foreign copy keeps its own supplier alive, so a redeployed application's
     * class loader can still be collected, and its store then drops out of the export.
     */
    private static final List<WeakReference<Supplier<List<Object[]>>>> FOREIGN_STORES =
            new CopyOnWriteArrayList<WeakReference<Supplier<List<Object[]>>>>();
    /** This copy's supplier when it is a foreign copy, kept here so that the primary may hold it weakly. */
    private static Supplier<List<Object[]>> exportedSnapshots;
    /** The health states of foreign copies, held weakly as their stores are. */
    private static final List<WeakReference<Supplier<Object[]>>> FOREIGN_HEALTH =
            new CopyOnWriteArrayList<WeakReference<Supplier<Object[]>>>();
    /** This copy's health supplier when it is a foreign copy. */
    private static Supplier<Object[]> exportedHealth;
    private static final Set<String> REPORTED_CONFLICTS =
            Collections.newSetFromMap(new ConcurrentHashMap<String, Boolean>());

    private ExportBridge() {
    }

    /**
     * Called by the agent before the application runs: metrics of this copy are exported from now on.
     *
     * @return false when an agent had claimed this copy already (the agent was attached twice)
     */
    public static synchronized boolean claimAgent() {
        if (agentAttached) {
            return false;
        }
        agentAttached = true;
        return true;
    }

    public static boolean isAgentAttached() {
        return agentAttached;
    }

    /**
     * Called reflectively by a foreign copy of the API: its families, encoded by
     * {@link #encode(List)}, are exported with this copy's.
     */
    public static void registerForeignStore(Supplier<List<Object[]>> snapshots) {
        FOREIGN_STORES.add(new WeakReference<Supplier<List<Object[]>>>(snapshots));
    }

    /** Called reflectively by a foreign copy of the API: its health state counts for {@code /health} too. */
    public static void registerForeignHealth(Supplier<Object[]> health) {
        FOREIGN_HEALTH.add(new WeakReference<Supplier<Object[]>>(health));
    }

    /**
     * The health state of this copy, then of every foreign copy, each as {@link HealthState#encode()}
     * gives it; called reflectively by the agent.
     */
    public static List<Object[]> healthEncoded() {
        List<Object[]> states = new ArrayList<Object[]>();
        states.add(HealthState.global().encode());
        for (WeakReference<Supplier<Object[]>> reference : FOREIGN_HEALTH) {
            Supplier<Object[]> foreign = reference.get();
            if (foreign == null) {
                FOREIGN_HEALTH.remove(reference);
                continue;
            }
            try {
                states.add(foreign.get());
            } catch (RuntimeException | LinkageError failed) {
                reportOnce("health:" + failed.getClass().getName(), "a foreign copy of the dynamo API failed to"
                        + " report its health state; /health leaves it out: " + failed);
            }
        }
        return states;
    }

    /** The agent's {@code DYN_METRICS_MAX_SERIES}, for families that set no limit of their own. */
    public static void setDefaultMaxSeries(int limit) {
        MaxSeriesSetting.setDefaultLimit(limit);
    }

    /** The series limit of families that set none; read by foreign copies when they connect. */
    public static int defaultMaxSeries() {
        return MaxSeriesSetting.defaultLimit();
    }

    /**
     * Connects this copy's metrics to the agent, once; called when the runtime is created, and by
     * the agent for copies that were loaded before it attached.
     *
     * @return whether this copy's metrics are exported
     */
    public static boolean connect() {
        synchronized (ExportBridge.class) {
            if (ExportBridge.class.getClassLoader() == null || connectedAsForeign) {
                return agentAttached || connectedAsForeign;
            }
            Class<?> primary;
            try {
                primary = Class.forName(ExportBridge.class.getName(), true, null);
            } catch (ClassNotFoundException | LinkageError noAgentCopy) {
                return agentAttached;
            }
            try {
                if (!Boolean.TRUE.equals(primary.getMethod("isAgentAttached").invoke(null))) {
                    return false;
                }
                Supplier<List<Object[]>> supplier = () -> encode(MetricStore.global().snapshot());
                exportedSnapshots = supplier;
                primary.getMethod("registerForeignStore", Supplier.class).invoke(null, supplier);
                connectedAsForeign = true;
                connectNewerParts(primary);
                return true;
            } catch (Exception | LinkageError incompatible) {
                ApiLog.warn("cannot connect the dynamo API loaded by " + ExportBridge.class.getClassLoader()
                        + " to the agent's copy; its metrics are not exported: " + incompatible);
                return false;
            }
        }
    }

    /**
     * Health state and series limit cross too, when the agent's copy knows them: an older agent's
     * copy lacks these methods, and the metrics then cross alone.
     */
    private static void connectNewerParts(Class<?> primary) {
        try {
            Supplier<Object[]> health = () -> HealthState.global().encode();
            primary.getMethod("registerForeignHealth", Supplier.class).invoke(null, health);
            exportedHealth = health;
            MaxSeriesSetting.setDefaultLimit((Integer) primary.getMethod("defaultMaxSeries").invoke(null));
        } catch (NoSuchMethodException olderAgent) {
            ApiLog.debug("the agent's copy of the dynamo API predates the health API and the series limit;"
                    + " this copy's health state and limit stay local");
        } catch (Exception | LinkageError failed) {
            ApiLog.warn("cannot connect the health state of the dynamo API loaded by "
                    + ExportBridge.class.getClassLoader() + " to the agent's copy: " + failed);
        }
    }

    /** {@link #collect()}, encoded as JDK types for callers that may see another copy of these classes. */
    public static List<Object[]> collectEncoded() {
        return encode(collect());
    }

    /**
     * Every family to export: this copy's, then those of foreign copies. A foreign family whose
     * name this copy already has with the same type adds its samples there.
     */
    public static List<FamilySnapshot> collect() {
        // Endpoint calls that could not be recorded where they ended (no stack left) are applied first.
        EndpointRecording.settle();
        List<FamilySnapshot> own = MetricStore.global().snapshot();
        if (FOREIGN_STORES.isEmpty()) {
            return own;
        }
        Map<String, FamilySnapshot> merged = new LinkedHashMap<String, FamilySnapshot>();
        for (FamilySnapshot family : own) {
            merged.put(family.name(), family);
        }
        // Newest first: after a redeploy the new copy's series win over the old one's until it is collected.
        for (int i = FOREIGN_STORES.size() - 1; i >= 0; i--) {
            WeakReference<Supplier<List<Object[]>>> reference = FOREIGN_STORES.get(i);
            Supplier<List<Object[]>> foreign = reference.get();
            if (foreign == null) {
                FOREIGN_STORES.remove(reference);
                continue;
            }
            List<FamilySnapshot> families;
            try {
                families = decode(foreign.get());
            } catch (RuntimeException | LinkageError failed) {
                reportOnce("collect:" + failed.getClass().getName(), "a foreign copy of the dynamo API failed to"
                        + " collect; its metrics are left out of this scrape: " + failed);
                continue;
            }
            for (FamilySnapshot family : families) {
                merge(merged, family);
            }
        }
        return new ArrayList<FamilySnapshot>(merged.values());
    }

    /** Adds a foreign family: its samples join a family of the same name and type, without duplicate series. */
    private static void merge(Map<String, FamilySnapshot> merged, FamilySnapshot family) {
        FamilySnapshot existing = merged.get(family.name());
        if (existing == null) {
            merged.put(family.name(), family);
        } else if (existing.type() == family.type()) {
            List<Sample> samples = new ArrayList<Sample>(existing.samples());
            Set<String> series = new HashSet<String>();
            for (Sample sample : existing.samples()) {
                series.add(seriesKey(sample));
            }
            for (Sample sample : family.samples()) {
                // Each copy has its own runtime, so the unlabelled uptime would appear twice.
                if (series.add(seriesKey(sample))) {
                    samples.add(sample);
                }
            }
            merged.put(family.name(), new FamilySnapshot(existing.name(), existing.type(), existing.help(), samples));
        } else {
            reportOnce("type:" + family.name(), "metric '" + family.name() + "' is a " + existing.type().typeName()
                    + " in one copy of the dynamo API and a " + family.type().typeName()
                    + " in another; the second is not exported. Use one type for one name");
        }
    }

    private static String seriesKey(Sample sample) {
        return sample.name() + sample.labelNames() + sample.labelValues();
    }

    private static void reportOnce(String key, String message) {
        if (REPORTED_CONFLICTS.add(key)) {
            ApiLog.warn(message);
        }
    }

    static List<Object[]> encode(List<FamilySnapshot> families) {
        List<Object[]> encoded = new ArrayList<Object[]>(families.size());
        for (FamilySnapshot family : families) {
            Object[] samples = new Object[family.samples().size()];
            for (int i = 0; i < samples.length; i++) {
                Sample sample = family.samples().get(i);
                samples[i] = new Object[] {sample.name(), sample.labelNames().toArray(new String[0]),
                    sample.labelValues().toArray(new String[0]), sample.value()};
            }
            encoded.add(new Object[] {family.name(), family.type().name(), family.help(), samples});
        }
        return encoded;
    }

    static List<FamilySnapshot> decode(List<Object[]> encoded) {
        List<FamilySnapshot> families = new ArrayList<FamilySnapshot>(encoded.size());
        for (Object[] family : encoded) {
            Object[] samples = (Object[]) family[3];
            List<Sample> decoded = new ArrayList<Sample>(samples.length);
            for (Object element : samples) {
                Object[] sample = (Object[]) element;
                decoded.add(new Sample((String) sample[0], Arrays.asList((String[]) sample[1]),
                        Arrays.asList((String[]) sample[2]), (Double) sample[3]));
            }
            families.add(new FamilySnapshot((String) family[0], MetricType.Exposition.valueOf((String) family[1]),
                    (String) family[2], decoded));
        }
        return families;
    }
}
