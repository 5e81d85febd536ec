package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.PrometheusNames;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The copies of the API that child-first class loaders loaded and connected to this one, the
 * primary: their metric families and health states, read when the agent asks and merged with this
 * copy's own.
 *
 * <p>Held weakly: each foreign copy keeps its own suppliers alive, so a redeployed application's
 * class loader can still be collected, and its metrics then drop out of the export.
 */
final class ForeignCopies {
    private static final String UPTIME = PrometheusNames.METRIC_PREFIX + PrometheusNames.Runtime.UPTIME_SECONDS;
    private static final List<WeakReference<Supplier<List<Object[]>>>> STORES =
            new CopyOnWriteArrayList<WeakReference<Supplier<List<Object[]>>>>();
    private static final List<WeakReference<Supplier<Object[]>>> HEALTH =
            new CopyOnWriteArrayList<WeakReference<Supplier<Object[]>>>();
    private static final Set<String> REPORTED = Collections.newSetFromMap(new ConcurrentHashMap<String, Boolean>());

    private ForeignCopies() {
    }

    static void addStore(Supplier<List<Object[]>> snapshots) {
        STORES.add(new WeakReference<Supplier<List<Object[]>>>(snapshots));
    }

    static void addHealth(Supplier<Object[]> health) {
        HEALTH.add(new WeakReference<Supplier<Object[]>>(health));
    }

    /** The health state of this copy, then of every foreign copy, each in {@code HealthFormat}. */
    static List<Object[]> healthStates() {
        List<Object[]> states = new ArrayList<Object[]>();
        states.add(HealthState.global().encode());
        for (WeakReference<Supplier<Object[]>> reference : HEALTH) {
            Supplier<Object[]> foreign = reference.get();
            if (foreign == null) {
                HEALTH.remove(reference);
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

    /**
     * Every family to export: this copy's, then those of foreign copies. A foreign family whose
     * name this copy already has with the same type adds its samples there.
     */
    static List<FamilySnapshot> collect() {
        List<FamilySnapshot> own = MetricStore.global().snapshot();
        if (STORES.isEmpty()) {
            return own;
        }
        Map<String, FamilySnapshot> merged = new LinkedHashMap<String, FamilySnapshot>();
        Map<String, Set<String>> ownSeries = new HashMap<String, Set<String>>();
        for (FamilySnapshot family : own) {
            merged.put(family.name(), family);
            ownSeries.put(family.name(), seriesKeys(family));
        }
        // Newest first: after a redeploy the new copy's series win over the old one's until it is collected.
        for (int i = STORES.size() - 1; i >= 0; i--) {
            WeakReference<Supplier<List<Object[]>>> reference = STORES.get(i);
            Supplier<List<Object[]>> foreign = reference.get();
            if (foreign == null) {
                STORES.remove(reference);
                continue;
            }
            List<FamilySnapshot> families;
            try {
                families = SnapshotEncoding.decode(foreign.get(), skipped -> reportOnce("format:" + skipped, skipped));
            } catch (RuntimeException | LinkageError failed) {
                reportOnce("collect:" + failed.getClass().getName(), "a foreign copy of the dynamo API failed to"
                        + " collect; its metrics are left out of this scrape: " + failed);
                continue;
            }
            for (FamilySnapshot family : families) {
                merge(merged, family, ownSeries.get(family.name()));
            }
        }
        return new ArrayList<FamilySnapshot>(merged.values());
    }

    /**
     * Adds a foreign family: its series join a family of the same name and type, unless a series of
     * the same labels is there already, which is kept whole (a histogram's buckets, count and sum
     * never come from two copies). Where that series is this copy's own, the foreign one is a second
     * count of the same thing and is reported once; between foreign copies it is an old deployment
     * not yet collected.
     *
     * @param ownSeries the series keys of this copy's family of that name, or null
     */
    private static void merge(Map<String, FamilySnapshot> merged, FamilySnapshot family, Set<String> ownSeries) {
        FamilySnapshot existing = merged.get(family.name());
        if (existing == null) {
            merged.put(family.name(), family);
        } else if (existing.type() == family.type()) {
            List<Sample> samples = new ArrayList<Sample>(existing.samples());
            Set<String> present = seriesKeys(existing);
            boolean clashesWithOwn = false;
            for (Sample sample : family.samples()) {
                String key = seriesKey(sample);
                if (!present.contains(key)) {
                    samples.add(sample);
                } else if (ownSeries != null && ownSeries.contains(key)) {
                    clashesWithOwn = true;
                }
            }
            // Each copy has its own runtime, so the unlabelled uptime is in every copy: not a clash.
            if (clashesWithOwn && !family.name().equals(UPTIME)) {
                reportOnce("series:" + family.name(), "metric '" + family.name() + "' has series of the same labels"
                        + " in this copy of the dynamo API and in a copy a child-first class loader loaded; the"
                        + " first copy's series are exported and the other's left out. Create each series in one copy");
            }
            merged.put(family.name(), new FamilySnapshot(existing.name(), existing.type(), existing.help(), samples));
        } else {
            reportOnce("type:" + family.name(), "metric '" + family.name() + "' is a " + existing.type().typeName()
                    + " in one copy of the dynamo API and a " + family.type().typeName()
                    + " in another; the second is not exported. Use one type for one name");
        }
    }

    private static Set<String> seriesKeys(FamilySnapshot family) {
        Set<String> keys = new HashSet<String>();
        for (Sample sample : family.samples()) {
            keys.add(seriesKey(sample));
        }
        return keys;
    }

    /** A series' labels without {@code le}: a histogram's buckets, count and sum are one series. */
    private static String seriesKey(Sample sample) {
        StringBuilder key = new StringBuilder();
        List<String> names = sample.labelNames();
        List<String> values = sample.labelValues();
        for (int i = 0; i < names.size(); i++) {
            if (!names.get(i).equals("le")) {
                key.append(names.get(i)).append('\0').append(values.get(i)).append('\0');
            }
        }
        return key.toString();
    }

    private static void reportOnce(String key, String message) {
        if (REPORTED.add(key)) {
            ApiLog.warn(message);
        }
    }
}
