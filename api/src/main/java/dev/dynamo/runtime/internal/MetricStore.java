package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.IntCounter;
import dev.dynamo.runtime.metrics.PrometheusNames;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Every metric created through one copy of the API, grouped into families by exposed name.
 * Creation is rare and takes a lock, so that conflicts are found at creation and a failed creation
 * leaves nothing behind; collection reads a published array and takes no lock.
 */
public final class MetricStore {
    private static final MetricStore GLOBAL = new MetricStore();

    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private final Map<String, MetricFamily> families = new LinkedHashMap<String, MetricFamily>();
    /** Every sample name a family exposes, to its family's name. Guarded by {@link #lock}. */
    private final Map<String, String> sampleNameOwners = new HashMap<String, String>();
    /** The families of {@link #families}, in order, for collection without the lock. */
    private final AppendOnlyArray<MetricFamily> published = new AppendOnlyArray<MetricFamily>();
    private final ScrapeCallbacks callbacks = new ScrapeCallbacks();
    /** Created at the first folded label set. Guarded by {@link #lock}. */
    private Vecs.LongCounterVec foldedLabelSets;
    /** The families of {@link #families} that take one of the names {@code DYN_METRICS_MAX_FAMILIES} allows. */
    private int limitedFamilies;
    /** Created when the last name allowed is taken. Guarded by {@link #lock}. */
    private LongCounter unexportedFamilies;

    /** Ends the threads this store's callbacks ran on: for a scratch store that is done with. */
    void stopCallbackThreads() {
        callbacks.stopThreads();
    }

    /** The store behind {@code DistributedRuntime.get()}. */
    public static MetricStore global() {
        return GLOBAL;
    }

    /**
     * Returns the metric registered under {@code definition}'s family and fixed label values, or
     * registers {@code created} there.
     *
     * @throws IllegalArgumentException when the definition conflicts with an earlier one
     */
    Collectable register(MetricDefinition definition, Collectable created) {
        WorkHandlerFamilies.check(definition);
        synchronized (lock) {
            MetricFamily family = families.get(definition.familyName());
            if (family == null) {
                boolean limited = takesAName(definition.familyName());
                if (limited && limitedFamilies >= LimitSetting.MAX_FAMILIES.value()) {
                    return unexported(definition, created);
                }
                List<String> exposed = exposedSampleNames(definition);
                for (String sampleName : exposed) {
                    String owner = sampleNameOwners.get(sampleName);
                    if (owner != null) {
                        throw new IllegalArgumentException("Metric '" + definition.familyName() + "' would expose '"
                                + sampleName + "', which metric '" + owner + "' already exposes"
                                + (sampleName.endsWith("_created") ? " (OpenMetrics reserves _created for the"
                                + " creation time of counters and histograms)" : "") + "; choose another name");
                    }
                }
                family = new MetricFamily(definition, this);
                families.put(family.name, family);
                for (String sampleName : exposed) {
                    sampleNameOwners.put(sampleName, family.name);
                }
                published.add(family);
                if (limited && ++limitedFamilies >= LimitSetting.MAX_FAMILIES.value()) {
                    unexportedFamilies();
                }
            } else {
                family.checkCompatible(definition);
            }
            return family.registerOrGet(definition, created);
        }
    }

    /**
     * Whether a family named {@code name} takes one of the names {@code DYN_METRICS_MAX_FAMILIES} allows: the
     * application's do; the runtime's own, which the code bounds, do not (the agent's work-handler families, the
     * uptime and the counters of what was folded or left unexported).
     */
    private static boolean takesAName(String name) {
        return !WorkHandlerFamilies.isWorkHandlerFamily(name) && !name.equals(RUNTIME_UPTIME)
                && !name.equals(SeriesLimit.FOLDED_FAMILY) && !name.equals(UNEXPORTED_FAMILIES);
    }

    /**
     * {@code created}, working but left off the page: the process has as many metric names as
     * {@code DYN_METRICS_MAX_FAMILIES} allows. An application that made a name from data (a counter per user)
     * grew the store by about 1.5 KB a name without end. Counted, and said once; a vec keeps a series limit of
     * its own, so that it stays bounded too, its folds counted nowhere.
     */
    private Collectable unexported(MetricDefinition definition, Collectable created) {
        LongCounter counter = unexportedFamilies();
        if (counter.get() == 0) {
            ApiLog.warn("metric '" + definition.familyName() + "' is not exported: this process has "
                    + LimitSetting.MAX_FAMILIES.value() + " metric names already, as many as "
                    + LimitSetting.MAX_FAMILIES.variable + " allows. A name made from data (an id, a path, a time)"
                    + " makes a new metric each time; give such a value to a label of a vec instead"
                    + " (createCounterVec, then withLabelValues), or raise " + LimitSetting.MAX_FAMILIES.variable
                    + ". Such metrics work but are not on the page; they are counted in " + UNEXPORTED_FAMILIES
                    + "_total without another warning");
        }
        counter.inc();
        if (created instanceof LabeledMetrics) {
            ((LabeledMetrics<?, ?>) created).attach(new SeriesLimit(definition.familyName(), null));
        }
        return created;
    }

    /** The counter of metrics left unexported, registered at 0 when the last name allowed is taken. */
    private LongCounter unexportedFamilies() {
        if (unexportedFamilies == null) {
            LongCounter created = new LongCounter();
            register(new MetricDefinition(UNEXPORTED_FAMILIES, MetricType.INT_COUNTER, UNEXPORTED_HELP,
                    Collections.<String>emptyList(), Collections.<String>emptyList(), null,
                    Collections.<String>emptyList()), created);
            unexportedFamilies = created;
        }
        return unexportedFamilies;
    }

    /**
     * Hides the series {@code definition} names, or shows it again, when it is {@code metric} and registered at
     * that place only: the work-handler series of an endpoint whose class the JVM refused after it was woven,
     * which would otherwise read as an endpoint called zero times. Created again ({@link #register}), it is on the
     * page again, with what it counted meanwhile.
     *
     * @return whether it was registered so
     */
    boolean setHidden(MetricDefinition definition, Collectable metric, boolean hidden) {
        synchronized (lock) {
            MetricFamily family = families.get(definition.familyName());
            Registration registration = family == null ? null : family.byFixedValues.get(definition.fixedLabelValues());
            if (registration == null || registration.metric != metric || registration.places.size() != 1) {
                return false;
            }
            registration.hidden = hidden;
            return true;
        }
    }

    /** Runs {@code callback} before every scrape of its place or a place above it. */
    void addCallback(ScrapeCallback callback) {
        callbacks.add(callback);
    }

    /**
     * The current samples of every family, in creation order, after running the scrape callbacks.
     * The families are read newest first, while calls go on: a total created before the counts of its
     * parts, as each endpoint's {@code requests_total} is created before its duration histogram,
     * errors and cancellations, is read after them, so that one page never shows more ended calls
     * or errors than requests (read oldest first, 15-35 % of pages under load did).
     */
    public List<FamilySnapshot> snapshot() {
        return snapshot(Collections.<String>emptyList(), ALL_FAMILIES);
    }

    /** {@link #snapshot()} of the families whose names {@code familyFilter} accepts. */
    List<FamilySnapshot> snapshot(Predicate<String> familyFilter) {
        return snapshot(Collections.<String>emptyList(), familyFilter);
    }

    /**
     * Adds to {@code size} the samples that {@link #snapshot(Predicate)} would give now, and the bytes of
     * their lines, without collecting them and without running the scrape callbacks: the cost of the
     * families, not of their series (a callback's series are counted as its last run gave them).
     */
    void measure(Predicate<String> familyFilter, ExpositionSize size) {
        AppendOnlyArray.View<MetricFamily> current = published.view();
        for (int i = 0; i < current.size; i++) {
            MetricFamily family = current.get(i);
            if (familyFilter.test(family.name)) {
                family.measure(size);
            }
        }
    }

    /**
     * The current samples of the metrics created at {@code hierarchy} or below, after running their
     * scrape callbacks; families with nothing there are left out, except at the root.
     */
    List<FamilySnapshot> snapshot(List<String> hierarchy) {
        return snapshot(hierarchy, ALL_FAMILIES);
    }

    private List<FamilySnapshot> snapshot(List<String> hierarchy, Predicate<String> familyFilter) {
        callbacks.run(hierarchy);
        AppendOnlyArray.View<MetricFamily> current = published.view();
        List<FamilySnapshot> result = new ArrayList<FamilySnapshot>(current.size);
        for (int i = current.size - 1; i >= 0; i--) {
            MetricFamily family = current.get(i);
            if (!familyFilter.test(family.name)) {
                continue;
            }
            FamilySnapshot snapshot = family.snapshot(hierarchy);
            if (snapshot != null) {
                result.add(snapshot);
            }
        }
        Collections.reverse(result);
        return result;
    }

    /**
     * Counts one label set of {@code family} that got no series of its own, in
     * {@code dynamo_metrics_folded_label_sets_total}: for folds the series guard does not make itself
     * (the cap on an endpoint's error types).
     */
    public void countFolded(String family) {
        foldedLabelSets(family).inc();
    }

    /** The counter of label sets folded in {@code family}, registered with the first labelled family. */
    IntCounter foldedLabelSets(String family) {
        Vecs.LongCounterVec vec;
        synchronized (lock) {
            if (foldedLabelSets == null) {
                List<String> labels = Collections.singletonList(SeriesLimit.FOLDED_LABEL);
                Vecs.LongCounterVec created = new Vecs.LongCounterVec(labels);
                register(new MetricDefinition(SeriesLimit.FOLDED_FAMILY, MetricType.INT_COUNTER_VEC,
                        SeriesLimit.FOLDED_HELP, labels, Collections.<String>emptyList(), null,
                        Collections.<String>emptyList()), created);
                // One series per family that folds: bounded by the code, and it must never fold itself.
                created.setMaxSeries(Integer.MAX_VALUE);
                foldedLabelSets = created;
            }
            vec = foldedLabelSets;
        }
        return vec.withLabelValues(family);
    }

    private static List<String> exposedSampleNames(MetricDefinition definition) {
        return exposedSampleNames(definition.familyName(), definition.type());
    }

    /**
     * Every sample name a family of {@code type} named {@code name} exposes or reserves, in any
     * format: OpenMetrics reserves {@code _created} for counters and histograms, and its parsers
     * refuse a page where another family takes that name.
     */
    static List<String> exposedSampleNames(String name, MetricType type) {
        switch (type.exposition()) {
            case COUNTER:
                return Arrays.asList(name, name + "_total", name + "_created");
            case HISTOGRAM:
                return Arrays.asList(name, name + "_bucket", name + "_count", name + "_sum", name + "_created");
            default:
                return Collections.singletonList(name);
        }
    }

    private static final Predicate<String> ALL_FAMILIES = name -> true;

    /** The name of the runtime's own uptime gauge. */
    static final String UNEXPORTED_FAMILIES = "dynamo_metrics_unexported_families";
    private static final String UNEXPORTED_HELP = "Metrics created under a new name when the process had as many"
            + " metric names as DYN_METRICS_MAX_FAMILIES allows: they work, but are not exported";
    private static final String RUNTIME_UPTIME = PrometheusNames.METRIC_PREFIX + PrometheusNames.Runtime.UPTIME_SECONDS;

    /** All registrations of one exposed name: they share type, help and label names. */
    private static final class MetricFamily {
        final String name;
        final MetricType type;
        final String help;
        final List<String> labelNames;
        /** How many of {@link #labelNames} have a fixed value (automatic and constant labels); the rest are variable. */
        final int fixedLabels;
        final SampleNames sampleNames;
        final SeriesLimit seriesLimit;
        /** Guarded by the store's lock. */
        final Map<List<String>, Registration> byFixedValues = new LinkedHashMap<List<String>, Registration>();
        /** The values of {@link #byFixedValues}, in order, for collection without the lock. */
        final AppendOnlyArray<Registration> registrations = new AppendOnlyArray<Registration>();

        MetricFamily(MetricDefinition definition, MetricStore store) {
            this.name = definition.familyName();
            this.seriesLimit = new SeriesLimit(name, store);
            this.type = definition.type();
            this.help = definition.help();
            this.labelNames = definition.labelNames();
            this.fixedLabels = definition.fixedLabelValues().size();
            this.sampleNames = new SampleNames(name, labelNames);
        }

        void checkCompatible(MetricDefinition definition) {
            if (type != definition.type() && name.equals(RUNTIME_UPTIME)) {
                throw new IllegalArgumentException("Metric '" + name + "' is the runtime's uptime, which the runtime"
                        + " creates itself (PrometheusNames.Runtime.UPTIME_SECONDS) and computes at each scrape; cannot"
                        + " create it as " + definition.type().apiName()
                        + ". Use another name for a metric of your own");
            }
            if (type != definition.type()) {
                throw new IllegalArgumentException("Metric '" + name + "' is already registered as " + type.apiName()
                        + "; cannot create it as " + definition.type().apiName()
                        + ". Use another name, or create it with the same type everywhere");
            }
            if (!help.equals(definition.help())) {
                throw new IllegalArgumentException("Metric '" + name + "' is already registered with help '" + help
                        + "'; cannot create it with help '" + definition.help()
                        + "'. Use the same help text everywhere the metric is created");
            }
            if (!labelNames.equals(definition.labelNames())) {
                throw new IllegalArgumentException("Metric '" + name + "' is already registered with label names "
                        + labelNames + "; cannot create it with " + definition.labelNames()
                        + ". Every series of a metric needs the same label names (automatic, constant and variable)");
            }
            if (fixedLabels != definition.fixedLabelValues().size()) {
                // Split otherwise, one registration's variable label could take another's constant value: two
                // series with the same labels on one page, of which Prometheus keeps one without a word.
                throw new IllegalArgumentException("Metric '" + name + "' is already registered with variable labels "
                        + labelNames.subList(fixedLabels, labelNames.size()) + "; cannot create it with variable labels "
                        + labelNames.subList(definition.fixedLabelValues().size(), labelNames.size())
                        + ". A label is constant in every series of a metric or variable in every one");
            }
        }

        Collectable registerOrGet(MetricDefinition definition, Collectable created) {
            Registration existing = byFixedValues.get(definition.fixedLabelValues());
            if (existing != null) {
                if (!Arrays.equals(existing.buckets, definition.buckets())) {
                    throw new IllegalArgumentException("Metric '" + name + "' with labels "
                            + describe(definition.fixedLabelValues()) + " already exists with buckets "
                            + Arrays.toString(existing.buckets) + "; cannot create it again with buckets "
                            + Arrays.toString(definition.buckets()) + ". Use the same buckets, or another name");
                }
                existing.addPlace(definition.hierarchy());
                existing.hidden = false;
                return existing.metric;
            }
            if (!(created instanceof ScrapeCallback) && !WorkHandlerFamilies.isWorkHandlerFamily(name)) {
                // A new place takes one of the family's places under its limit: a plain metric's series is one of
                // its series, as a vec's label set is; a vec's place is one of its places, its label sets still
                // counted as before. An application that made places from data (an endpoint per user) grew one
                // family to 37,000 series in 12 s and ran out of heap (a re-tester). Not folded: the agent's own
                // families, whose places the annotated methods bound, and callback metrics, whose callback is the
                // application's own (one folded would be a second callback for the overflow series).
                SeriesLimit.Admission admission;
                synchronized (seriesLimit) {
                    admission = created instanceof LabeledMetrics ? seriesLimit.admitPlace() : seriesLimit.admit(0);
                }
                if (admission != SeriesLimit.Admission.ADMITTED) {
                    return foldPlace(definition, created);
                }
            }
            return add(definition.fixedLabelValues(), definition.buckets(), created, definition.hierarchy());
        }

        private Collectable add(List<String> fixedValues, double[] buckets, Collectable created,
                List<String> hierarchy) {
            if (created instanceof LabeledMetrics) {
                ((LabeledMetrics<?, ?>) created).attach(seriesLimit);
                seriesLimit.showFoldedCounter();
            }
            Registration registration = new Registration(fixedValues, buckets, created, hierarchy);
            byFixedValues.put(registration.fixedValues, registration);
            registrations.add(registration);
            return created;
        }

        /**
         * A new place past the family's limit gets the overflow place's metric: the one whose automatic and
         * constant labels are all {@value SeriesLimit#OVERFLOW_VALUE}, shown on the runtime's page only, made from
         * the first metric folded. A histogram folded there observes into that one's buckets, whatever its own.
         * Its folded counter is not shown before a fold: that would be one series more for every plain metric's
         * family, for what only an application that makes places from data does.
         */
        private Collectable foldPlace(MetricDefinition definition, Collectable created) {
            seriesLimit.foldPlace();
            List<String> overflowValues = Collections.nCopies(fixedLabels, SeriesLimit.OVERFLOW_VALUE);
            Registration overflow = byFixedValues.get(overflowValues);
            return overflow != null ? overflow.metric
                    : add(overflowValues, definition.buckets(), created, Collections.<String>emptyList());
        }

        private String describe(List<String> fixedValues) {
            StringBuilder out = new StringBuilder("{");
            for (int i = 0; i < fixedValues.size(); i++) {
                out.append(i == 0 ? "" : ", ").append(labelNames.get(i)).append("=\"").append(fixedValues.get(i))
                        .append('"');
            }
            return out.append('}').toString();
        }

        void measure(ExpositionSize size) {
            size.addBytes(ExpositionSize.headerBytes(name, help));
            AppendOnlyArray.View<Registration> current = registrations.view();
            for (int i = 0; i < current.size; i++) {
                Registration registration = current.get(i);
                if (!registration.hidden) {
                    registration.metric.measure(sampleNames, registration.fixedValueBytes, size);
                }
            }
        }

        /** The samples of the registrations at {@code hierarchy} or below; null when there is none below the root. */
        FamilySnapshot snapshot(List<String> hierarchy) {
            List<Sample> samples = new ArrayList<Sample>();
            boolean any = false;
            AppendOnlyArray.View<Registration> current = registrations.view();
            for (int i = 0; i < current.size; i++) {
                Registration registration = current.get(i);
                if (!registration.hidden && registration.isAtOrBelow(hierarchy)) {
                    any = true;
                    registration.metric.collect(sampleNames, registration.fixedValues, samples);
                }
            }
            if (!any && !hierarchy.isEmpty()) {
                return null;
            }
            return new FamilySnapshot(name, type.exposition(), help, samples);
        }
    }

    private static final class Registration {
        final List<String> fixedValues;
        /** The bytes of {@link #fixedValues} on a page. */
        final long fixedValueBytes;
        final double[] buckets;
        final Collectable metric;
        /**
         * Every place the metric was created at. Usually one; more where places share their label
         * values (nested namespaces label only three levels, so {@code a/b/c/d} and {@code a/b/c/e}
         * get one series), and each of them shows it. Replaced under the store's lock.
         */
        volatile List<List<String>> places;
        /** Not on the page ({@link MetricStore#setHidden}); under the store's lock. */
        volatile boolean hidden;

        Registration(List<String> fixedValues, double[] buckets, Collectable metric, List<String> hierarchy) {
            this.fixedValues = fixedValues;
            this.fixedValueBytes = LabelValues.exposedBytes(fixedValues);
            this.buckets = buckets;
            this.metric = metric;
            this.places = Collections.singletonList(hierarchy);
        }

        /** Under the store's lock. */
        void addPlace(List<String> hierarchy) {
            if (!places.contains(hierarchy)) {
                List<List<String>> more = new ArrayList<List<String>>(places);
                more.add(hierarchy);
                places = more;
            }
        }

        boolean isAtOrBelow(List<String> place) {
            for (List<String> hierarchy : places) {
                if (hierarchy.size() >= place.size() && hierarchy.subList(0, place.size()).equals(place)) {
                    return true;
                }
            }
            return false;
        }
    }
}
