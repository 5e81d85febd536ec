package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.Counter;
import dev.dynamo.runtime.metrics.CounterVec;
import dev.dynamo.runtime.metrics.Gauge;
import dev.dynamo.runtime.metrics.GaugeVec;
import dev.dynamo.runtime.metrics.Histogram;
import dev.dynamo.runtime.metrics.HistogramVec;
import dev.dynamo.runtime.metrics.IntCounter;
import dev.dynamo.runtime.metrics.IntCounterVec;
import dev.dynamo.runtime.metrics.IntGauge;
import dev.dynamo.runtime.metrics.IntGaugeVec;
import dev.dynamo.runtime.metrics.MetricsRegistry;
import dev.dynamo.runtime.metrics.PrometheusNames;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * The {@link MetricsRegistry} of one place in the hierarchy: validates, names and labels each
 * metric, then registers it in a {@link MetricStore}.
 */
public final class ScopedMetricsRegistry implements MetricsRegistry {
    private static final List<String> AUTO_LABELS = Collections.unmodifiableList(Arrays.asList(
            PrometheusNames.LABEL_NAMESPACE, PrometheusNames.LABEL_COMPONENT, PrometheusNames.LABEL_ENDPOINT));
    private static final double[] DEFAULT_BOUNDS = toArray(DEFAULT_BUCKETS);
    /** "family at place" of the callback metrics whose callback another class loader replaced: said once each. */
    private static final Set<String> REPLACED_CALLBACKS = Collections.newSetFromMap(new ConcurrentHashMap<String, Boolean>());

    private final MetricStore store;
    private final List<String> autoLabelNames;
    private final List<String> autoLabelValues;
    private final List<String> hierarchy;

    /**
     * @param hierarchy the sanitized names of the levels below the runtime, outermost first; the
     *                  first three become the automatic labels
     */
    public ScopedMetricsRegistry(MetricStore store, List<String> hierarchy) {
        this.store = store;
        int labelled = Math.min(hierarchy.size(), AUTO_LABELS.size());
        this.autoLabelNames = AUTO_LABELS.subList(0, labelled);
        this.autoLabelValues = Collections.unmodifiableList(new ArrayList<String>(hierarchy.subList(0, labelled)));
        this.hierarchy = Collections.unmodifiableList(new ArrayList<String>(hierarchy));
    }

    @Override
    public Map<String, String> getAutoLabels() {
        Map<String, String> labels = new LinkedHashMap<String, String>();
        for (int i = 0; i < autoLabelNames.size(); i++) {
            labels.put(autoLabelNames.get(i), autoLabelValues.get(i));
        }
        return Collections.unmodifiableMap(labels);
    }

    @Override
    public Counter createCounter(String name, String help, Map<String, String> constLabels) {
        return (Counter) create(define(name, help, MetricType.COUNTER, null, constLabels, null), null, false);
    }

    @Override
    public IntCounter createIntCounter(String name, String help, Map<String, String> constLabels) {
        return (IntCounter) create(define(name, help, MetricType.INT_COUNTER, null, constLabels, null), null, false);
    }

    @Override
    public Gauge createGauge(String name, String help, Map<String, String> constLabels) {
        return (Gauge) create(define(name, help, MetricType.GAUGE, null, constLabels, null), null, false);
    }

    @Override
    public IntGauge createIntGauge(String name, String help, Map<String, String> constLabels) {
        return (IntGauge) create(define(name, help, MetricType.INT_GAUGE, null, constLabels, null), null, false);
    }

    @Override
    public Histogram createHistogram(String name, String help, Map<String, String> constLabels, List<Double> buckets) {
        return (Histogram) create(define(name, help, MetricType.HISTOGRAM, null, constLabels, buckets), null, false);
    }

    @Override
    public CounterVec createCounterVec(String name, String help, List<String> labelNames,
            Map<String, String> constLabels) {
        return (CounterVec) create(define(name, help, MetricType.COUNTER_VEC, labelNames, constLabels, null),
                labelNames, false);
    }

    @Override
    public IntCounterVec createIntCounterVec(String name, String help, List<String> labelNames,
            Map<String, String> constLabels) {
        return (IntCounterVec) create(define(name, help, MetricType.INT_COUNTER_VEC, labelNames, constLabels, null),
                labelNames, false);
    }

    @Override
    public GaugeVec createGaugeVec(String name, String help, List<String> labelNames, Map<String, String> constLabels) {
        return (GaugeVec) create(define(name, help, MetricType.GAUGE_VEC, labelNames, constLabels, null),
                labelNames, false);
    }

    @Override
    public IntGaugeVec createIntGaugeVec(String name, String help, List<String> labelNames,
            Map<String, String> constLabels) {
        return (IntGaugeVec) create(define(name, help, MetricType.INT_GAUGE_VEC, labelNames, constLabels, null),
                labelNames, false);
    }

    @Override
    public HistogramVec createHistogramVec(String name, String help, List<String> labelNames,
            Map<String, String> constLabels, List<Double> buckets) {
        return (HistogramVec) create(define(name, help, MetricType.HISTOGRAM_VEC, labelNames, constLabels, buckets),
                labelNames, false);
    }

    /**
     * Creates (or returns) an integer gauge for values that mostly go up and down from many threads
     * at once, such as requests in flight; see {@link StripedLongGauge}.
     */
    public IntGauge createUpDownIntGauge(String name, String help, Map<String, String> constLabels) {
        return (IntGauge) create(define(name, help, MetricType.INT_GAUGE, null, constLabels, null), null, true);
    }

    /**
     * Checks and names a metric without constant labels once, for creating it at many places as deep
     * as this one with {@link #create(Prevalidated)}. Every instrumented endpoint gets the same five
     * work-handler metrics, created while the endpoint's class loads; a start-up that loads hundreds
     * of such classes would otherwise repeat the same checks for each.
     *
     * @param labelNames the variable label names of a vec type, else null
     * @param buckets    a histogram's upper bounds, or null for the default buckets; else null
     * @param upDown     for {@link MetricType#INT_GAUGE}: whether it is {@link #createUpDownIntGauge striped}
     * @throws IllegalArgumentException as the matching {@code createX} would, or for a callback type
     */
    public Prevalidated prevalidate(String name, String help, MetricType type, List<String> labelNames,
            List<Double> buckets, boolean upDown) {
        switch (type) {
            case CALLBACK_GAUGE:
            case GAUGE_WITH_CALLBACK:
            case COUNTER_WITH_CALLBACK:
            case GAUGE_VEC_WITH_CALLBACK:
            case COUNTER_VEC_WITH_CALLBACK:
                throw new IllegalArgumentException(type.apiName() + " '" + name + "' is created with its callback,"
                        + " by its own create method");
            default:
                break;
        }
        MetricDefinition checked = define(name, help, type, labelNames, null, buckets);
        List<String> variableLabels = type.isVec()
                ? Collections.unmodifiableList(new ArrayList<String>(labelNames)) : null;
        return new Prevalidated(checked, variableLabels, upDown && type == MetricType.INT_GAUGE);
    }

    /**
     * Creates (or returns) the metric of {@code metric} at this place, as its {@code createX} would.
     *
     * @throws IllegalArgumentException when {@code metric} was checked at a place of another depth,
     *         or conflicts with a metric created earlier
     */
    public Object create(Prevalidated metric) {
        MetricDefinition checked = metric.checked;
        if (checked.hierarchy().size() != hierarchy.size()) {
            throw new IllegalArgumentException("Metric '" + checked.familyName() + "' was checked for places "
                    + checked.hierarchy().size() + " levels deep and cannot be created at " + place());
        }
        // The bounds are shared by every place: neither a histogram nor a registration writes them.
        return create(definitionHere(metric), metric.variableLabels, metric.upDown);
    }

    /**
     * Hides {@code created}, the metric {@link #create(Prevalidated)} gave for {@code metric} at this place, or
     * shows it again, when it is registered at this place only; see {@link MetricStore#setHidden}.
     *
     * @return whether it was registered so
     */
    public boolean setHidden(Prevalidated metric, Object created, boolean hidden) {
        return created instanceof Collectable && store.setHidden(definitionHere(metric), (Collectable) created, hidden);
    }

    private MetricDefinition definitionHere(Prevalidated metric) {
        MetricDefinition checked = metric.checked;
        return new MetricDefinition(checked.familyName(), checked.type(), checked.help(), checked.labelNames(),
                autoLabelValues, checked.buckets(), hierarchy);
    }

    /** Registers a new metric of {@code definition}'s type, or returns the one already registered there. */
    private Object create(MetricDefinition definition, List<String> variableLabels, boolean upDown) {
        return register(definition, newMetric(definition.type(), variableLabels, definition.buckets(), upDown));
    }

    /** The one place that knows which class implements each type. */
    private static Collectable newMetric(MetricType type, List<String> variableLabels, double[] bounds,
            boolean upDown) {
        switch (type) {
            case COUNTER:
                return new DoubleCounter();
            case INT_COUNTER:
                return new LongCounter();
            case GAUGE:
                return new DoubleGauge();
            case INT_GAUGE:
                return upDown ? new StripedLongGauge() : new LongGauge();
            case HISTOGRAM:
                return new BucketHistogram(bounds);
            case COUNTER_VEC:
                return new Vecs.DoubleCounterVec(variableLabels);
            case INT_COUNTER_VEC:
                return new Vecs.LongCounterVec(variableLabels);
            case GAUGE_VEC:
                return new Vecs.DoubleGaugeVec(variableLabels);
            case INT_GAUGE_VEC:
                return new Vecs.LongGaugeVec(variableLabels);
            case HISTOGRAM_VEC:
                return new Vecs.BucketHistogramVec(variableLabels, bounds);
            default:
                throw new IllegalArgumentException(type.apiName() + " is created with its callback");
        }
    }

    /** A metric checked and named by {@link #prevalidate}, to be created at many places. */
    public static final class Prevalidated {
        /** As checked at the place it was prevalidated at; the automatic label values are that place's. */
        final MetricDefinition checked;
        final List<String> variableLabels;
        final boolean upDown;

        Prevalidated(MetricDefinition checked, List<String> variableLabels, boolean upDown) {
            this.checked = checked;
            this.variableLabels = variableLabels;
            this.upDown = upDown;
        }
    }

    /** Registers a gauge whose value {@code value} computes at every scrape. */
    public void createCallbackGauge(String name, String help, DoubleSupplier value) {
        register(define(name, help, MetricType.CALLBACK_GAUGE, null, null, null), new CallbackGauge(value));
    }

    @Override
    public void createGaugeWithCallback(String name, String help, Map<String, String> constLabels,
            DoubleSupplier value) {
        createCallbackMetric(name, help, MetricType.GAUGE_WITH_CALLBACK, constLabels, value);
    }

    @Override
    public void createCounterWithCallback(String name, String help, Map<String, String> constLabels,
            DoubleSupplier value) {
        createCallbackMetric(name, help, MetricType.COUNTER_WITH_CALLBACK, constLabels, value);
    }

    @Override
    public void createGaugeVecWithCallback(String name, String help, List<String> labelNames,
            Map<String, String> constLabels, Supplier<Map<List<String>, Double>> values) {
        createLabeledCallbackMetric(name, help, MetricType.GAUGE_VEC_WITH_CALLBACK, labelNames, constLabels, values);
    }

    @Override
    public void createCounterVecWithCallback(String name, String help, List<String> labelNames,
            Map<String, String> constLabels, Supplier<Map<List<String>, Double>> values) {
        createLabeledCallbackMetric(name, help, MetricType.COUNTER_VEC_WITH_CALLBACK, labelNames, constLabels, values);
    }

    @Override
    public void addUpdateCallback(Runnable callback) {
        if (callback == null) {
            throw new IllegalArgumentException("The update callback is null; pass a function that sets metrics"
                    + " before each scrape");
        }
        store.addCallback(new UpdateCallback(hierarchy, "update callback " + describeCallback(callback) + " added at "
                + place(), callback));
    }

    @Override
    public String prometheusExpfmt() {
        return TextExposition.write(store.snapshot(hierarchy));
    }

    /** A lambda's class name says only where it was written: {@code Main$$Lambda$34/0x...@311d617d}. */
    private static String describeCallback(Runnable callback) {
        String className = callback.getClass().getName();
        int lambda = className.indexOf("$$Lambda");
        return lambda > 0 ? "(a lambda of " + className.substring(0, lambda) + ")" : String.valueOf(callback);
    }

    private static void requireCallback(Object callback, String parameter) {
        if (callback == null) {
            throw new IllegalArgumentException("The " + parameter + " callback is null; pass a function that"
                    + " computes the value at scrape time");
        }
    }

    private String describe(MetricDefinition definition) {
        return "callback of " + definition.type().apiName() + " '" + definition.familyName() + "' at " + place();
    }

    private String place() {
        return hierarchy.isEmpty() ? "the runtime" : String.join("/", hierarchy);
    }

    private void createCallbackMetric(String name, String help, MetricType type, Map<String, String> constLabels,
            DoubleSupplier value) {
        requireCallback(value, "value");
        MetricDefinition definition = define(name, help, type, null, constLabels, null);
        registerCallback(definition, new CallbackMetric(hierarchy, describe(definition), value, isCounter(type)));
    }

    private void createLabeledCallbackMetric(String name, String help, MetricType type, List<String> labelNames,
            Map<String, String> constLabels, Supplier<Map<List<String>, Double>> values) {
        requireCallback(values, "values");
        MetricDefinition definition = define(name, help, type, labelNames, constLabels, null);
        registerCallback(definition, new LabeledCallbackMetric(hierarchy, describe(definition),
                Collections.unmodifiableList(new ArrayList<String>(labelNames)), values, isCounter(type)));
    }

    private static boolean isCounter(MetricType type) {
        return type.exposition() == MetricType.Exposition.COUNTER;
    }

    /**
     * Registers a callback metric. Its supplier is given once, so creating it again is an error,
     * unless the supplier comes from another class loader: a redeployed application's, whose earlier
     * deployment shared this copy of the API. Its supplier then replaces the earlier one in the same
     * series, which keeps that deployment's class loader alive no more.
     */
    private void registerCallback(MetricDefinition definition, ScrapeCallback created) {
        Collectable existing = register(definition, (Collectable) created);
        if (existing == created) {
            store.addCallback(created);
            return;
        }
        if (existing instanceof CallbackMetric && created instanceof CallbackMetric
                && ((CallbackMetric) existing).isRedeployedAs(created)) {
            ((CallbackMetric) existing).takeCodeOf((CallbackMetric) created);
        } else if (existing instanceof LabeledCallbackMetric && created instanceof LabeledCallbackMetric
                && ((LabeledCallbackMetric) existing).isRedeployedAs(created)) {
            ((LabeledCallbackMetric) existing).takeCodeOf((LabeledCallbackMetric) created);
        } else {
            throw new IllegalArgumentException("Metric '" + definition.familyName() + "' with these labels already"
                    + " has a callback at " + place() + "; create a callback metric once and keep its values in"
                    + " what the callback reads");
        }
        if (REPLACED_CALLBACKS.add(definition.familyName() + " at " + place())) {
            ApiLog.warn(describe(definition) + " is given again by another class loader; the new callback replaces"
                    + " the earlier one. That is a redeployed application's; two applications that share this copy of"
                    + " the API at once should each give their own metric (another name or place)");
        }
    }

    private Collectable register(MetricDefinition definition, Collectable created) {
        return store.register(definition, created);
    }

    /** The family name of metric {@code sanitizedName} of {@code type}: prefixed, and a counter's without {@code _total}. */
    static String familyName(String sanitizedName, MetricType type) {
        String familyName = PrometheusNames.METRIC_PREFIX + sanitizedName;
        if (type.exposition() == MetricType.Exposition.COUNTER && familyName.endsWith("_total")) {
            // OpenMetrics: the family is named without _total, its sample with it.
            familyName = familyName.substring(0, familyName.length() - "_total".length());
        }
        return familyName;
    }

    /**
     * Why counter {@code name}, whose family would be {@code familyName}, is refused. Its sample would end in
     * {@code _total_total}, which OpenMetrics allows, but Prometheus's Java clients, whose exposition the agent
     * writes, take {@code _total} off a counter family's name once more: its type and help then went out under a
     * name without samples, and promtool, Prometheus's metadata and Grafana lost them (a re-tester).
     */
    private static String counterNamedTotalTwice(String name, String familyName) {
        String stripped = familyName;
        while (stripped.endsWith("_total")) {
            stripped = stripped.substring(0, stripped.length() - "_total".length());
        }
        String refused = "Counter name '" + name + "' would be exposed as '" + familyName + "_total'; a counter's"
                + " sample gets one _total, and a name ending in it twice loses its type and help in Prometheus's Java"
                + " exposition";
        if (stripped.length() < PrometheusNames.METRIC_PREFIX.length()) {
            return refused + "; name it for what it counts, e.g. 'requests' (exposed as '"
                    + PrometheusNames.METRIC_PREFIX + "requests_total')";
        }
        String base = stripped.substring(PrometheusNames.METRIC_PREFIX.length());
        return refused + "; name it '" + base + "' or '" + base + "_total' (exposed as '" + stripped + "_total')";
    }

    private MetricDefinition define(String name, String help, MetricType type, List<String> variableLabels,
            Map<String, String> constLabels, List<Double> buckets) {
        String familyName = familyName(PrometheusNames.sanitizeMetricName(name), type);
        if (type.exposition() == MetricType.Exposition.COUNTER && familyName.endsWith("_total")) {
            throw new IllegalArgumentException(counterNamedTotalTwice(name, familyName));
        }
        if (help == null || help.trim().isEmpty()) {
            throw new IllegalArgumentException("Help text of metric '" + familyName
                    + "' is empty; describe what the metric measures");
        }
        boolean histogram = type.exposition() == MetricType.Exposition.HISTOGRAM;
        List<String> labelNames = new ArrayList<String>(autoLabelNames);
        List<String> fixedValues = new ArrayList<String>(autoLabelValues);
        Set<String> userLabels = new HashSet<String>();
        if (constLabels != null && !constLabels.isEmpty()) {
            for (Map.Entry<String, String> label : new TreeMap<String, String>(nullChecked(constLabels)).entrySet()) {
                checkUserLabel(label.getKey(), histogram, userLabels);
                if (label.getValue() == null) {
                    throw new IllegalArgumentException("Value of constant label '" + label.getKey()
                            + "' is null; pass a string (it may be empty)");
                }
                labelNames.add(label.getKey());
                fixedValues.add(LabelValues.wellFormed(label.getValue()));
            }
        }
        if (type.isVec()) {
            if (variableLabels == null || variableLabels.isEmpty()) {
                throw new IllegalArgumentException(type.apiName() + " '" + familyName
                        + "' needs at least one label name; for a metric without variable labels use create"
                        + type.apiName().replace("Vec", ""));
            }
            for (Object label : variableLabels) {
                checkString(label, "Label name");
                checkUserLabel((String) label, histogram, userLabels);
                labelNames.add((String) label);
            }
        }
        double[] bounds = histogram ? bucketBounds(buckets) : null;
        return new MetricDefinition(familyName, type, help, Collections.unmodifiableList(labelNames),
                Collections.unmodifiableList(fixedValues), bounds, hierarchy);
    }

    /** TreeMap rejects a null key with a bare NPE; say what is wrong instead. */
    private static Map<String, String> nullChecked(Map<String, String> constLabels) {
        boolean hasNullKey;
        try {
            hasNullKey = constLabels.containsKey(null);
        } catch (NullPointerException | ClassCastException mapRejectsNullKeys) {
            hasNullKey = false;
        }
        if (hasNullKey) {
            throw new IllegalArgumentException("Constant labels contain a null label name; use a name matching"
                    + " [a-zA-Z_][a-zA-Z0-9_]*");
        }
        for (Map.Entry<?, ?> label : constLabels.entrySet()) {
            checkString(label.getKey(), "Constant label name");
            checkString(label.getValue(), "Value of constant label '" + label.getKey() + "'");
        }
        return constLabels;
    }

    /**
     * A label name or value given through an unchecked or raw collection (a Groovy map, a Java raw type) as
     * another type than {@code String}: an error that says so, not a {@code ClassCastException} of a copy.
     */
    private static void checkString(Object given, String what) {
        if (given != null && !(given instanceof String)) {
            throw new IllegalArgumentException(what + " is " + given + ", a " + given.getClass().getName()
                    + "; pass a String");
        }
    }

    private static void checkUserLabel(String label, boolean histogram, Set<String> seen) {
        if (label == null) {
            throw new IllegalArgumentException("Label name is null; use a name matching [a-zA-Z_][a-zA-Z0-9_]*");
        }
        if (AUTO_LABELS.contains(label)) {
            throw new IllegalArgumentException("Label '" + label
                    + "' is automatically added by auto_label feature and cannot be manually set");
        }
        if (!PrometheusNames.isValidLabelName(label)) {
            throw new IllegalArgumentException("Invalid label name '" + label + "': label names must match"
                    + " [a-zA-Z_][a-zA-Z0-9_]* and must not start with '__'" + suggestion(label));
        }
        if (histogram && "le".equals(label)) {
            throw new IllegalArgumentException("Label 'le' is reserved for histogram buckets; use another label name");
        }
        if (!seen.add(label)) {
            throw new IllegalArgumentException("Duplicate label key '" + label + "' found in labels");
        }
    }

    /** A valid name close to {@code label}, when its sanitized form is one (Dynamo's rules may keep a leading {@code __}). */
    private static String suggestion(String label) {
        try {
            String sanitized = PrometheusNames.sanitizeLabelName(label);
            while (sanitized.startsWith("__")) {
                sanitized = sanitized.substring(1);
            }
            return PrometheusNames.isValidLabelName(sanitized) ? "; for example '" + sanitized + "'" : "";
        } catch (IllegalArgumentException unsanitizable) {
            return "";
        }
    }

    private static double[] bucketBounds(List<Double> buckets) {
        if (buckets == null) {
            return DEFAULT_BOUNDS.clone();
        }
        if (buckets.isEmpty()) {
            throw new IllegalArgumentException("Histogram buckets are empty; pass at least one upper bound,"
                    + " or null for the default buckets " + DEFAULT_BUCKETS);
        }
        double[] bounds = new double[buckets.size()];
        for (int i = 0; i < bounds.length; i++) {
            // Any number: a Groovy list written [1, 2.5, 5] holds Integers beside Doubles.
            Object given = ((List<?>) buckets).get(i);
            if (given != null && !(given instanceof Number)) {
                throw new IllegalArgumentException("Histogram bucket " + given + " at position " + i + " of " + buckets
                        + " is a " + given.getClass().getName() + ", not a number; pass finite numbers");
            }
            Double bound = given == null ? null : ((Number) given).doubleValue();
            if (bound == null || Double.isNaN(bound) || Double.isInfinite(bound)) {
                throw new IllegalArgumentException("Histogram bucket " + bound + " at position " + i + " of " + buckets
                        + " is not a finite number; buckets must be finite (+Inf is added implicitly)");
            }
            if (i > 0 && bound <= bounds[i - 1]) {
                throw new IllegalArgumentException("Histogram buckets must be strictly increasing, but " + bound
                        + " follows " + bounds[i - 1] + " in " + buckets);
            }
            bounds[i] = bound;
        }
        return bounds;
    }

    static double[] toArray(List<Double> values) {
        double[] result = new double[values.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = values.get(i);
        }
        return result;
    }
}
