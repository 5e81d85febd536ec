package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.PrometheusNames;
import dev.dynamo.runtime.metrics.PrometheusNames.WorkHandler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The five families the agent records for every {@code @DynamoEndpoint} method, exactly as it
 * creates them. The application may create them too (to read the agent's series through the API),
 * but only in the same way: a family of one name has one definition, so any other would be refused
 * to whichever of the two came second, and when the application comes first that would leave every
 * annotated method unmeasured. Refusing it to the application, whatever the order, keeps the
 * instrumentation working and gives the application one clear message.
 */
public final class WorkHandlerFamilies {
    /** Request duration buckets: the defaults, then up to ten minutes for long generations. */
    public static final List<Double> DURATION_BUCKETS = Collections.unmodifiableList(Arrays.asList(
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0));

    /**
     * Beyond this many exception classes an endpoint's errors count as {@code error_type="other"}, so that
     * generated exception classes cannot grow the series without bound.
     */
    public static final int MAX_ERROR_TYPES = 100;
    /** The family of the errors counted for every {@code @DynamoEndpoint} method, by type. */
    public static final String ERRORS_FAMILY = "dynamo_component_errors";
    private static final List<String> AUTOMATIC_LABELS = Collections.unmodifiableList(Arrays.asList(
            PrometheusNames.LABEL_NAMESPACE, PrometheusNames.LABEL_COMPONENT, PrometheusNames.LABEL_ENDPOINT));
    /** Every sample name the families expose (and their family names), to its family. */
    private static final Map<String, Family> BY_SAMPLE_NAME = new HashMap<String, Family>();

    static {
        add(WorkHandler.REQUESTS_TOTAL, MetricType.INT_COUNTER, WorkHandler.REQUESTS_TOTAL_HELP, null, false);
        add(WorkHandler.INFLIGHT_REQUESTS, MetricType.INT_GAUGE, WorkHandler.INFLIGHT_REQUESTS_HELP, null, false);
        add(WorkHandler.REQUEST_DURATION_SECONDS, MetricType.HISTOGRAM, WorkHandler.REQUEST_DURATION_SECONDS_HELP,
                null, true);
        add(WorkHandler.ERRORS_TOTAL, MetricType.INT_COUNTER_VEC, WorkHandler.ERRORS_TOTAL_HELP,
                WorkHandler.ERROR_TYPE_LABEL, false);
        add(WorkHandler.CANCELLATION_TOTAL, MetricType.INT_COUNTER, WorkHandler.CANCELLATION_TOTAL_HELP, null, false);
    }

    private WorkHandlerFamilies() {
    }

    private static void add(String name, MetricType type, String help, String variableLabel, boolean durations) {
        List<String> labels = new ArrayList<String>(AUTOMATIC_LABELS);
        if (variableLabel != null) {
            labels.add(variableLabel);
        }
        double[] buckets = durations ? ScopedMetricsRegistry.toArray(DURATION_BUCKETS) : null;
        String familyName = ScopedMetricsRegistry.familyName(name, type);
        Family family = new Family(familyName, PrometheusNames.METRIC_PREFIX + name, type, help,
                Collections.unmodifiableList(labels), buckets);
        for (String sampleName : MetricStore.exposedSampleNames(familyName, type)) {
            BY_SAMPLE_NAME.put(sampleName, family);
        }
    }

    /** Whether {@code familyName} is one of the five families the agent records for every annotated method. */
    static boolean isWorkHandlerFamily(String familyName) {
        Family family = BY_SAMPLE_NAME.get(familyName);
        return family != null && family.name.equals(familyName);
    }

    /**
     * Refuses a definition that would expose a sample name of a work-handler family and differs
     * from the agent's. Looking up the definition's family name is enough: every sample name of those
     * families is one of their names plus a suffix, and each of their names is itself in the table
     * (a counter {@code requests} exposes {@code requests_total}, and both are there).
     *
     * @throws IllegalArgumentException naming what differs and what the agent's definition is
     */
    static void check(MetricDefinition definition) {
        Family family = BY_SAMPLE_NAME.get(definition.familyName());
        if (family == null) {
            return;
        }
        String differs = null;
        if (family.type != definition.type() || !family.name.equals(definition.familyName())) {
            differs = "as " + definition.type().apiName();
        } else if (!family.labelNames.equals(definition.labelNames())) {
            differs = "with label names " + definition.labelNames();
        } else if (!family.help.equals(definition.help())) {
            differs = "with help '" + definition.help() + "'";
        } else if (!Arrays.equals(family.buckets, definition.buckets())) {
            differs = "with buckets " + Arrays.toString(definition.buckets());
        }
        if (differs != null) {
            throw new IllegalArgumentException("Metric '" + family.shownName + "' is one of the work-handler metrics the"
                    + " agent records for every @DynamoEndpoint method, which it creates " + family.describe()
                    + "; cannot create it " + differs + ". Use another name, or create it exactly as the agent does,"
                    + " at an endpoint, to read the agent's series");
        }
    }

    private static final class Family {
        final String name;
        /** As users query it: a counter's with _total. */
        final String shownName;
        final MetricType type;
        final String help;
        final List<String> labelNames;
        final double[] buckets;

        Family(String name, String shownName, MetricType type, String help, List<String> labelNames,
                double[] buckets) {
            this.name = name;
            this.shownName = shownName;
            this.type = type;
            this.help = help;
            this.labelNames = labelNames;
            this.buckets = buckets;
        }

        String describe() {
            return "as " + type.apiName() + " with label names " + labelNames + ", help '" + help + "'"
                    + (buckets == null ? "" : " and buckets " + DURATION_BUCKETS);
        }
    }
}
