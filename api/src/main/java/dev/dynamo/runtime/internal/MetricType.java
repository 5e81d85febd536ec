package dev.dynamo.runtime.internal;

/** The kinds of metric the API creates; two creations of one name must agree on it. */
public enum MetricType {
    COUNTER("Counter", Exposition.COUNTER, false),
    INT_COUNTER("IntCounter", Exposition.COUNTER, false),
    GAUGE("Gauge", Exposition.GAUGE, false),
    INT_GAUGE("IntGauge", Exposition.GAUGE, false),
    HISTOGRAM("Histogram", Exposition.HISTOGRAM, false),
    COUNTER_VEC("CounterVec", Exposition.COUNTER, true),
    INT_COUNTER_VEC("IntCounterVec", Exposition.COUNTER, true),
    GAUGE_VEC("GaugeVec", Exposition.GAUGE, true),
    INT_GAUGE_VEC("IntGaugeVec", Exposition.GAUGE, true),
    HISTOGRAM_VEC("HistogramVec", Exposition.HISTOGRAM, true),
    /** A gauge whose value is computed at every scrape, such as the runtime's uptime. */
    CALLBACK_GAUGE("computed Gauge", Exposition.GAUGE, false),
    GAUGE_WITH_CALLBACK("GaugeWithCallback", Exposition.GAUGE, false),
    COUNTER_WITH_CALLBACK("CounterWithCallback", Exposition.COUNTER, false),
    GAUGE_VEC_WITH_CALLBACK("GaugeVecWithCallback", Exposition.GAUGE, true),
    COUNTER_VEC_WITH_CALLBACK("CounterVecWithCallback", Exposition.COUNTER, true);

    /** How a family is written in the exposition format. */
    public enum Exposition {
        COUNTER("counter"), GAUGE("gauge"), HISTOGRAM("histogram");

        private final String typeName;

        Exposition(String typeName) {
            this.typeName = typeName;
        }

        /** The name used in {@code # TYPE} lines. */
        public String typeName() {
            return typeName;
        }
    }

    private final String apiName;
    private final Exposition exposition;
    private final boolean vec;

    MetricType(String apiName, Exposition exposition, boolean vec) {
        this.apiName = apiName;
        this.exposition = exposition;
        this.vec = vec;
    }

    /** The name of the API type, for error messages. */
    public String apiName() {
        return apiName;
    }

    public Exposition exposition() {
        return exposition;
    }

    public boolean isVec() {
        return vec;
    }
}
