package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.internal.bridge.SizeFormat;
import dev.dynamo.runtime.metrics.PrometheusNames;

import java.lang.ref.WeakReference;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The copies of the API that child-first class loaders loaded and connected to this one, the
 * primary: their metric families and health states, read when the agent asks and merged with this
 * copy's own.
 *
 * <p>Held weakly: each foreign copy keeps its own suppliers alive, so a redeployed application's
 * class loader can still be collected. Its gauges then drop out of the export, but not its counts:
 * a counter or histogram summed over copies must never fall, or {@code rate()} and
 * {@code increase()} would read the fall as a restart and count the rest again. So each copy's
 * counters and histograms as its last collection gave them are kept, and once the copy is gone
 * they are added to every later page ({@link #retired}).
 */
final class ForeignCopies {
    private static final String UPTIME = PrometheusNames.METRIC_PREFIX + PrometheusNames.Runtime.UPTIME_SECONDS;
    private static final String INFLIGHT = PrometheusNames.METRIC_PREFIX + PrometheusNames.WorkHandler.INFLIGHT_REQUESTS;
    private static final List<WeakReference<Supplier<List<Object[]>>>> STORES =
            new CopyOnWriteArrayList<WeakReference<Supplier<List<Object[]>>>>();
    private static final List<WeakReference<Supplier<Object[]>>> HEALTH =
            new CopyOnWriteArrayList<WeakReference<Supplier<Object[]>>>();
    private static final Set<String> REPORTED = Collections.newSetFromMap(new ConcurrentHashMap<String, Boolean>());
    /**
     * How long a scrape waits for the foreign copies, from its start: each waits for its own callbacks up
     * to {@link ScrapeCallbacks#DEADLINE_MILLIS}, and then renders its families.
     */
    static final long FOREIGN_DEADLINE_MILLIS = 2 * ScrapeCallbacks.DEADLINE_MILLIS;
    private static volatile ThreadPoolExecutor collectors;
    /** Each live foreign copy's counter and histogram families, as its last collection gave them. */
    private static final Map<WeakReference<Supplier<List<Object[]>>>, List<FamilySnapshot>> LAST_COUNTS =
            new ConcurrentHashMap<WeakReference<Supplier<List<Object[]>>>, List<FamilySnapshot>>();
    /**
     * The samples and bytes ({@link SizeFormat}) of each live foreign copy's families as its last collection
     * gave them, and how many times they were measured since ({@link #MEASURED}): what the next is measured by.
     */
    private static final Map<WeakReference<Supplier<List<Object[]>>>, long[]> LAST_SIZES =
            new ConcurrentHashMap<WeakReference<Supplier<List<Object[]>>>, long[]>();
    /** The index in a {@link #LAST_SIZES} entry past the {@link SizeFormat} ones: measures since it was kept. */
    private static final int MEASURED = SizeFormat.LENGTH;
    /**
     * A foreign copy is known only by collecting it, so a copy that shrank after a large collection would
     * be measured large, refused, and never collected again: its last size counts in this many measures,
     * after which it counts as nothing until it is collected again (at a scrape every 15 s, 2.5 minutes
     * of scrapes refused at most, and one attempt per 10 scrapes while it stays large).
     */
    static final int MEASURES_PER_COLLECTION = 10;
    /** The last counts of the copies that are gone, summed by series; replaced whole, under the class's lock. */
    private static volatile Retired retired = new Retired(Collections.<FamilySnapshot>emptyList(),
            Collections.<String, BigDecimal>emptyMap());
    /** Collections a scrape started and found late, by copy: the next scrape awaits them, not new ones. */
    private static final Map<WeakReference<Supplier<List<Object[]>>>, Future<List<Object[]>>> STARTED =
            new ConcurrentHashMap<WeakReference<Supplier<List<Object[]>>>, Future<List<Object[]>>>();

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
                        + " report its health state; /health leaves it out: " + ApplicationText.of(failed));
            }
        }
        return states;
    }

    /**
     * How large {@link #collect(Predicate)} with {@code familyFilter} will be, in {@link SizeFormat}: this
     * copy's families that it keeps, as they are now; with foreign copies connected, each as its last
     * collection gave it ({@link #MEASURES_PER_COLLECTION}), whole (a foreign copy gives every family, which
     * the filter sees only once they are read), the counts of the copies gone, and every one of those
     * samples merged.
     */
    static long[] measure(Predicate<String> familyFilter) {
        ExpositionSize own = new ExpositionSize();
        MetricStore.global().measure(familyFilter, own);
        long[] size = new long[SizeFormat.LENGTH];
        size[SizeFormat.SAMPLES] = own.samples;
        size[SizeFormat.BYTES] = own.bytes;
        if (STORES.isEmpty() && retired.families.isEmpty()) {
            return size;
        }
        for (long[] foreign : LAST_SIZES.values()) {
            if (foreign[MEASURED]++ < MEASURES_PER_COLLECTION) {
                size[SizeFormat.SAMPLES] += foreign[SizeFormat.SAMPLES];
                size[SizeFormat.BYTES] += foreign[SizeFormat.BYTES];
            }
        }
        Retired gone = retired;
        size[SizeFormat.SAMPLES] += gone.size[SizeFormat.SAMPLES];
        size[SizeFormat.BYTES] += gone.size[SizeFormat.BYTES];
        size[SizeFormat.MERGED_SAMPLES] = size[SizeFormat.SAMPLES];
        return size;
    }

    /**
     * Every family to export: this copy's, then those of foreign copies. A foreign family whose
     * name is there already with the same type adds its samples there ({@link #merge}).
     */
    static List<FamilySnapshot> collect() {
        return collect(name -> true);
    }

    /** {@link #collect()} of the families whose names {@code familyFilter} accepts. */
    static List<FamilySnapshot> collect(Predicate<String> familyFilter) {
        // The counts of copies gone stay on every page, also once no copy is left: they vanished with the last
        // copy and came back with the next one, a series that flapped and read as reset (a re-tester's soak).
        if (STORES.isEmpty() && retired.families.isEmpty()) {
            return MetricStore.global().snapshot(familyFilter);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FOREIGN_DEADLINE_MILLIS);
        // Newest first: after a redeploy the new copy's gauges win over the old one's until it is collected.
        List<WeakReference<Supplier<List<Object[]>>>> references =
                new ArrayList<WeakReference<Supplier<List<Object[]>>>>(STORES);
        Collections.reverse(references);
        // Each copy waits for its own callbacks up to their deadline: side by side, so that the page waits
        // about that long, not that long once per copy (an application server with 20 applications).
        List<Future<List<Object[]>>> pending = new ArrayList<Future<List<Object[]>>>(references.size());
        for (WeakReference<Supplier<List<Object[]>>> reference : references) {
            Supplier<List<Object[]>> foreign = reference.get();
            if (foreign == null) {
                retire(reference);
            }
            pending.add(foreign == null ? null : start(reference, foreign));
        }
        List<FamilySnapshot> own = MetricStore.global().snapshot(familyFilter);
        Map<String, FamilySnapshot> merged = new LinkedHashMap<String, FamilySnapshot>();
        Map<String, BigDecimal> exact = new HashMap<String, BigDecimal>();
        Map<String, Set<String>> ownSeries = new HashMap<String, Set<String>>();
        for (FamilySnapshot family : own) {
            merged.put(family.name(), family);
            ownSeries.put(family.name(), seriesKeys(family));
        }
        for (int i = 0; i < references.size(); i++) {
            List<Object[]> encoded = await(references.get(i), pending.get(i), deadline);
            if (encoded == null) {
                continue;
            }
            List<FamilySnapshot> families;
            try {
                families = SnapshotEncoding.decode(encoded, skipped -> reportOnce("format:" + skipped, skipped));
            } catch (RuntimeException failed) {
                reportOnce("decode:" + failed.getClass().getName(), "a foreign copy of the dynamo API gave metrics"
                        + " this copy cannot read; they are left out of this scrape: " + ApplicationText.of(failed));
                continue;
            }
            keepCounts(references.get(i), families);
            for (FamilySnapshot family : families) {
                if (familyFilter.test(family.name())) {
                    merge(merged, family, ownSeries.get(family.name()), exact, NO_EXACT_VALUES);
                }
            }
        }
        Retired gone = retired;
        for (FamilySnapshot family : gone.families) {
            if (familyFilter.test(family.name())) {
                merge(merged, family, ownSeries.get(family.name()), exact, gone.exact);
            }
        }
        return new ArrayList<FamilySnapshot>(merged.values());
    }

    /** Keeps the counts of {@code families}, the latest of the copy of {@code reference}, unless it is gone already. */
    private static void keepCounts(WeakReference<Supplier<List<Object[]>>> reference, List<FamilySnapshot> families) {
        List<FamilySnapshot> counts = counts(families);
        long[] size = Arrays.copyOf(sizeOf(families), MEASURED + 1);
        synchronized (ForeignCopies.class) {
            if (STORES.contains(reference)) {
                LAST_COUNTS.put(reference, counts);
                LAST_SIZES.put(reference, size);
            }
        }
    }

    /** The samples of {@code families} and the bytes of their lines in {@link SizeFormat}, as {@link ExpositionSize} counts them. */
    private static long[] sizeOf(List<FamilySnapshot> families) {
        long samples = 0;
        long bytes = 0;
        for (FamilySnapshot family : families) {
            bytes += ExpositionSize.headerBytes(family.name(), family.help());
            for (Sample sample : family.samples()) {
                samples++;
                bytes += ExpositionSize.lineBytes(sample.name(), sample.labelNames())
                        + LabelValues.exposedBytes(sample.labelValues());
            }
        }
        long[] size = new long[SizeFormat.LENGTH];
        size[SizeFormat.SAMPLES] = samples;
        size[SizeFormat.BYTES] = bytes;
        return size;
    }

    /** The counter and histogram families of {@code families}: what a copy has counted. */
    private static List<FamilySnapshot> counts(List<FamilySnapshot> families) {
        List<FamilySnapshot> counts = new ArrayList<FamilySnapshot>(families.size());
        for (FamilySnapshot family : families) {
            if (family.type() != MetricType.Exposition.GAUGE) {
                counts.add(family);
            }
        }
        return counts;
    }

    /**
     * Forgets the copy of {@code reference}, which is gone or can no longer be asked, and adds its last
     * counts to those of the copies gone before it. Only the calls it counted after its last collection
     * are lost: a copy collected before any scrape, and the counts of a copy's last moments.
     */
    private static void retire(WeakReference<Supplier<List<Object[]>>> reference) {
        synchronized (ForeignCopies.class) {
            forget(reference);
            List<FamilySnapshot> last = LAST_COUNTS.remove(reference);
            if (last == null) {
                return;
            }
            Map<String, FamilySnapshot> sums = new LinkedHashMap<String, FamilySnapshot>();
            for (FamilySnapshot family : retired.families) {
                sums.put(family.name(), family);
            }
            Map<String, BigDecimal> exact = new HashMap<String, BigDecimal>(retired.exact);
            for (FamilySnapshot family : last) {
                merge(sums, family, null, exact, NO_EXACT_VALUES);
            }
            retired = new Retired(new ArrayList<FamilySnapshot>(sums.values()), exact);
        }
    }

    /**
     * Runs {@code foreign} on a thread of the foreign copies' pool, or here when the pool takes no more;
     * a collection that an earlier scrape started and found late is awaited (or taken) instead.
     */
    private static Future<List<Object[]>> start(WeakReference<Supplier<List<Object[]>>> reference,
            Supplier<List<Object[]>> foreign) {
        Future<List<Object[]>> late = STARTED.get(reference);
        if (late != null) {
            return late;
        }
        FutureTask<List<Object[]>> task = new FutureTask<List<Object[]>>(foreign::get);
        STARTED.put(reference, task);
        try {
            collectors().execute(task);
        } catch (RejectedExecutionException notAccepted) {
            task.run();
        }
        return task;
    }

    private static void forget(WeakReference<Supplier<List<Object[]>>> reference) {
        STORES.remove(reference);
        STARTED.remove(reference);
        LAST_SIZES.remove(reference);
    }

    /** What the copy of {@code reference} gave by {@code deadline}; null when it gave nothing usable. */
    private static List<Object[]> await(WeakReference<Supplier<List<Object[]>>> reference,
            Future<List<Object[]>> collected, long deadline) {
        if (collected == null) {
            return null;
        }
        try {
            List<Object[]> encoded = collected.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            // Only a late collection is kept, to be awaited again; a finished one would keep its page.
            STARTED.remove(reference, collected);
            return encoded;
        } catch (TimeoutException late) {
            reportOnce("late", "a foreign copy of the dynamo API did not give its metrics within "
                    + FOREIGN_DEADLINE_MILLIS + " ms; they are left out of the scrapes it is late for");
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException failedThere) {
            STARTED.remove(reference, collected);
            Throwable failed = failedThere.getCause();
            if (failed instanceof LinkageError) {
                // Its class loader loads no more classes: an application server's, once the application was
                // stopped. Asked again, it would fail again, and the server would log each refusal.
                retire(reference);
                reportOnce("collect:" + failed.getClass().getName(), "a foreign copy of the dynamo API can no"
                        + " longer collect its metrics (" + ApplicationText.of(failed) + "); its gauges are left out from now on, and"
                        + " its counters and histograms stay as it last gave them. An application server's class"
                        + " loader does this once its application was stopped");
            } else {
                reportOnce("collect:" + failed.getClass().getName(), "a foreign copy of the dynamo API failed to"
                        + " collect; its metrics are left out of this scrape: " + ApplicationText.of(failed));
            }
        }
        return null;
    }

    private static ThreadPoolExecutor collectors() {
        ThreadPoolExecutor pool = collectors;
        if (pool == null) {
            synchronized (ForeignCopies.class) {
                pool = collectors;
                if (pool == null) {
                    // A thread per copy asked at once: each only waits for its copy, and one queued behind
                    // the others would be late for every scrape (an application server with 70 applications).
                    pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                            new SynchronousQueue<Runnable>(), new DaemonThreads("dynamo-metrics-foreign-"));
                    collectors = pool;
                }
            }
        }
        return pool;
    }

    /**
     * Adds a foreign family to one of the same name and type. A series no copy had yet joins the
     * family. A counter, or a histogram with the same buckets, that several copies have with the same
     * labels is exported as their sum: each copy counts calls of its own classes (two applications in
     * sibling class loaders, or a redeployed one whose old copy is not yet collected), so adding them
     * loses nothing and counts nothing twice. So is the work handlers' in-flight gauge. Any other
     * gauge of the same labels is kept as the first copy has it (this copy's own, else the newest
     * foreign one: after a redeploy, the new deployment's value); a clash with this copy's own gauge,
     * or histograms of other buckets, are reported once.
     *
     * @param ownSeries the series keys of this copy's family of that name, or null
     * @param exact the exact sums of this merge so far, by {@link #sumKey}, added to
     * @param familyExact the exact values of {@code family}'s samples that are sums themselves
     */
    private static void merge(Map<String, FamilySnapshot> merged, FamilySnapshot family, Set<String> ownSeries,
            Map<String, BigDecimal> exact, Map<String, BigDecimal> familyExact) {
        FamilySnapshot existing = merged.get(family.name());
        if (existing == null) {
            merged.put(family.name(), family);
            return;
        }
        if (existing.type() != family.type()) {
            reportOnce("type:" + family.name(), "metric '" + family.name() + "' is a " + existing.type().typeName()
                    + " in one copy of the dynamo API and a " + family.type().typeName()
                    + " in another; the second is not exported. Use one type for one name");
            return;
        }
        if (!existing.help().equals(family.help())) {
            reportOnce("help:" + family.name(), "metric '" + family.name() + "' has the help \"" + existing.help()
                    + "\" in one copy of the dynamo API and \"" + family.help() + "\" in another; the first is"
                    + " shown. Use one help text for one name");
        }
        List<Sample> samples = new ArrayList<Sample>(existing.samples());
        Map<String, Integer> positions = new HashMap<String, Integer>();
        Map<String, Set<String>> layouts = new HashMap<String, Set<String>>();
        for (int i = 0; i < samples.size(); i++) {
            String series = seriesKey(samples.get(i));
            String sampleOfSeries = sampleOfSeries(samples.get(i));
            positions.put(series + sampleOfSeries, i);
            layoutOf(layouts, series).add(sampleOfSeries);
        }
        String[] foreignSeries = new String[family.samples().size()];
        Map<String, Set<String>> foreignLayouts = new HashMap<String, Set<String>>();
        for (int i = 0; i < foreignSeries.length; i++) {
            foreignSeries[i] = seriesKey(family.samples().get(i));
            layoutOf(foreignLayouts, foreignSeries[i]).add(sampleOfSeries(family.samples().get(i)));
        }
        boolean added = existing.type() != MetricType.Exposition.GAUGE || family.name().equals(INFLIGHT);
        Set<String> labelNames = samples.isEmpty() ? null : labelNamesOf(samples.get(0));
        for (int i = 0; i < foreignSeries.length; i++) {
            Sample sample = family.samples().get(i);
            if (labelNames != null && !labelNames.equals(labelNamesOf(sample))) {
                reportOnce("labels:" + family.name(), "metric '" + family.name() + "' has the labels " + labelNames
                        + " in one copy of the dynamo API and " + labelNamesOf(sample) + " in another; both are"
                        + " exported. Use the same label names for one name in every copy");
            }
            String series = foreignSeries[i];
            Set<String> layout = layouts.get(series);
            if (layout == null) {
                samples.add(sample);
            } else if (added && layout.equals(foreignLayouts.get(series))) {
                int position = positions.get(series + sampleOfSeries(sample));
                Sample sum = samples.get(position);
                String key = sumKey(family.name(), series, sample);
                samples.set(position, new Sample(sum.name(), sum.labelNames(), sum.labelValues(),
                        add(exact, key, sum.value(), sample.value(), familyExact.get(key))));
            } else if (family.name().equals(UPTIME)) {
                // Each copy has its own runtime: the oldest one is the application's. After a dynamic attach
                // the agent's copy is younger than the application's own, which was running before it came.
                int position = positions.get(series + sampleOfSeries(sample));
                if (sample.value() > samples.get(position).value()) {
                    samples.set(position, sample);
                }
            } else if (added) {
                // The overflow place's series: each copy makes it from its own first histogram folded by place.
                boolean folded = sample.labelValues().contains(SeriesLimit.OVERFLOW_VALUE);
                reportOnce("buckets:" + family.name(), "metric '" + family.name() + "' has series of the same labels"
                        + " with other buckets in two copies of the dynamo API; the first copy's series are exported"
                        + " and the other's left out. " + (folded ? "They are the series its places past the series"
                        + " limit fold into, which each copy makes from the first histogram it folds: make the"
                        + " places from code, not data, or raise " + LimitSetting.MAX_SERIES.variable
                        : "Use the same buckets in every copy"));
            } else if (ownSeries != null && ownSeries.contains(series)) {
                reportOnce("series:" + family.name(), "metric '" + family.name() + "' has series of the same labels"
                        + " in this copy of the dynamo API and in a copy a child-first class loader loaded; this"
                        + " copy's gauge is exported and the other's left out. Set each gauge in one copy");
            }
        }
        merged.put(family.name(), new FamilySnapshot(existing.name(), existing.type(), existing.help(), samples));
    }

    /** The last counts of the copies that are gone, summed by series, with the exact values of the summed samples. */
    private static final class Retired {
        final List<FamilySnapshot> families;
        /** By {@link #sumKey}. */
        final Map<String, BigDecimal> exact;
        /** Of {@link #families}, in {@link SizeFormat}. */
        final long[] size;

        Retired(List<FamilySnapshot> families, Map<String, BigDecimal> exact) {
            this.families = families;
            this.exact = exact;
            this.size = sizeOf(families);
        }
    }

    private static final Map<String, BigDecimal> NO_EXACT_VALUES = Collections.emptyMap();

    /** The key of one sample of a family in the exact sums. */
    private static String sumKey(String family, String series, Sample sample) {
        return family + '\0' + series + sampleOfSeries(sample);
    }

    /**
     * {@code sum + addend}, added without rounding: kept exactly in {@code exact} under {@code key} and
     * rounded once. In doubles the copies' values would round differently as the order of the additions
     * changes (a copy gone, its counts added after the live ones), and a histogram's {@code _sum}
     * summed over copies fell by a rounding step, which {@code rate()} reads as a restart.
     *
     * @param addendExact the exact value of {@code addend} when it is a sum itself, or null
     */
    private static double add(Map<String, BigDecimal> exact, String key, double sum, double addend,
            BigDecimal addendExact) {
        if (!Double.isFinite(sum) || !Double.isFinite(addend)) {
            exact.remove(key);
            return sum + addend;
        }
        BigDecimal total = exact.get(key);
        if (total == null) {
            total = new BigDecimal(sum);
        }
        total = total.add(addendExact != null ? addendExact : new BigDecimal(addend));
        exact.put(key, total);
        return total.doubleValue();
    }

    private static Set<String> labelNamesOf(Sample sample) {
        Set<String> names = new TreeSet<String>(sample.labelNames());
        names.remove("le");
        return names;
    }

    /** The layout of {@code series} (its samples by {@link #sampleOfSeries}: a histogram's buckets, count and sum), created empty. */
    private static Set<String> layoutOf(Map<String, Set<String>> layouts, String series) {
        Set<String> layout = layouts.get(series);
        if (layout == null) {
            layout = new HashSet<String>();
            layouts.put(series, layout);
        }
        return layout;
    }

    /** Which sample of its series this is: its name, and its {@code le}. */
    private static String sampleOfSeries(Sample sample) {
        int le = sample.labelNames().indexOf("le");
        return le < 0 ? sample.name() : sample.name() + '\0' + sample.labelValues().get(le);
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
