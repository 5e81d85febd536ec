package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.IntCounter;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cardinality guard of one family: how many variable label sets its vecs may hold together, and
 * how many bytes their values may put on a page ({@link #LABEL_BYTES_PER_SERIES}). Consulted only
 * when a vec is about to create a child, so the lookup of an existing child costs nothing more. Past
 * either limit a vec hands out its overflow child (every variable label {@value #OVERFLOW_VALUE}),
 * the family is named once in a warning, and each folded lookup counts in
 * {@value #FOLDED_FAMILY}{@code _total{family="..."}}.
 */
final class SeriesLimit {
    /** The value of every variable label of the series that label sets past the limit fold into. */
    static final String OVERFLOW_VALUE = "__overflow__";
    /** The longest variable label value that gets a series of its own, in characters. */
    public static final int MAX_LABEL_VALUE_LENGTH = 4096;
    /**
     * The page bytes of variable label values a family may hold, per label set its series limit allows:
     * 8,192,000 for the default 2,000. A label set weighs its values' bytes on a page
     * ({@link LabelValues#exposedBytes}) times the lines its series writes (1 for a counter or gauge; the
     * buckets, {@code +Inf}, the count and the sum for a histogram, 14 with the default buckets), since each
     * line repeats them.
     *
     * <p>Why: the limit of 4,096 characters a value bounded a label set by neither its number of labels, nor
     * UTF-8's 3 bytes a character, nor those lines. A re-tester's histogram vec of 4 such values (49,152
     * bytes, 688,128 on the page) in 2,000 label sets made a page of 1.3 GB, and every scrape of a 512 MB
     * heap was refused, every family with it. That vec now keeps 11 label sets, 7.6 MB on the page. Ordinary
     * values never reach it: a full family of the default limit has 4,096 bytes of values per label set as a
     * counter or gauge, 292 as a histogram with the default buckets, where a model name, a route, a status
     * and an id take about 110. Scaled by the series limit, so that raising the limit for more label sets of
     * ordinary values does not fold them at a budget with no setting of its own, and a family's page stays
     * in proportion to the samples the limit allows.
     */
    static final int LABEL_BYTES_PER_SERIES = 4096;
    /** The counter of folded label sets, labelled by {@value #FOLDED_LABEL}. */
    static final String FOLDED_FAMILY = "dynamo_metrics_folded_label_sets";
    static final String FOLDED_HELP = "Label sets that did not get a series of their own because their metric"
            + " reached its series limit, and were folded into its overflow series";
    static final String FOLDED_LABEL = "family";
    /**
     * What to do when the errors the agent counts for every {@code @DynamoEndpoint} method fill their family: its
     * label sets are each endpoint's error types together (a re-tester's 2,500 endpoints of one type each), so
     * the advice for a vec of too many label values does not fit.
     */
    static final String ERRORS_ADVICE = "Its label sets are the error types of all @DynamoEndpoint methods together"
            + " (at most " + WorkHandlerFamilies.MAX_ERROR_TYPES + " types for each endpoint); the errors of each endpoint are still counted"
            + " there in full. With this many endpoints, raise the limit with " + LimitSetting.MAX_SERIES.variable;

    private final String family;
    private final MetricStore store;
    /** 0: the store's default applies. */
    private volatile int explicitLimit;
    private final AtomicInteger series = new AtomicInteger();
    private final AtomicBoolean warned = new AtomicBoolean();
    private final AtomicBoolean warnedLongValue = new AtomicBoolean();
    private final AtomicBoolean warnedBytes = new AtomicBoolean();
    private final AtomicBoolean warnedPlaces = new AtomicBoolean();
    /** The page bytes of the label values of the children that exist (see {@link #admit}). Guarded by this. */
    private long labelBytes;
    /** The places a vec of the family was made at ({@link #admitPlace}). Guarded by this. */
    private int places;
    private volatile IntCounter folded;

    /** @param store where folds are counted; null for a family left unexported, whose folds are counted nowhere */
    SeriesLimit(String family, MetricStore store) {
        this.family = family;
        this.store = store;
    }

    /** A limit of no series at all would only fold; at least one must be allowed. */
    void setLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("Series limit of metric '" + family + "' must be at least 1, got "
                    + limit + "; pass the most label sets it may have (the default, " + LimitSetting.MAX_SERIES.value()
                    + ", comes from " + LimitSetting.MAX_SERIES.variable + ")");
        }
        explicitLimit = limit;
    }

    int limit() {
        int explicit = explicitLimit;
        return explicit > 0 ? explicit : LimitSetting.MAX_SERIES.value();
    }

    /** What {@link #admit} decided about a new child. */
    enum Admission {
        ADMITTED,
        /** The family holds as many label sets as its limit allows. */
        SERIES_FULL,
        /** The new label set's values would take more of the page than the family has left. */
        BYTES_FULL
    }

    /** The page bytes of variable label values the family may hold: {@link #LABEL_BYTES_PER_SERIES} per place. */
    long byteBudget() {
        return (long) limit() * LABEL_BYTES_PER_SERIES;
    }

    /**
     * Takes one place and {@code pageBytes} of the byte budget for a new child; anything but
     * {@link Admission#ADMITTED} when the family is full, and the label set is then to be folded
     * ({@link #fold}). Called under this object's lock, as {@link #release} is: the places and bytes
     * taken are then exactly the children that exist, never a racing creation of the same label set or a
     * removal that has not given its share back yet, and creations near the budget never take more.
     *
     * @param pageBytes the new label set's values on a page: their bytes times the lines its series writes
     */
    Admission admit(long pageBytes) {
        int current = series.get();
        if (current >= limit()) {
            return Admission.SERIES_FULL;
        }
        if (pageBytes > byteBudget() - labelBytes) {
            return Admission.BYTES_FULL;
        }
        series.set(current + 1);
        labelBytes += pageBytes;
        return Admission.ADMITTED;
    }

    /**
     * Takes one of the family's places for a vec made at a new place (its label sets are admitted one by one, as
     * they come); {@link Admission#SERIES_FULL} when the family has as many places as its limit. Called under this
     * object's lock.
     */
    Admission admitPlace() {
        if (places >= limit()) {
            return Admission.SERIES_FULL;
        }
        places++;
        return Admission.ADMITTED;
    }

    /** Gives back the place and the bytes of a removed child. Called under this object's lock (see {@link #admit}). */
    void release(long pageBytes) {
        series.decrementAndGet();
        labelBytes -= pageBytes;
    }

    /** The page bytes the children's label values take. */
    synchronized long labelBytes() {
        return labelBytes;
    }

    int series() {
        return series.get();
    }

    /**
     * Folds a label set with a value longer than {@link #MAX_LABEL_VALUE_LENGTH} characters: a few
     * such values (a request body passed as a label) would hold the heap and make every page too
     * large to render, whatever the limit on the number of series.
     */
    void foldLongValue(int length) {
        countFolded();
        if (warnedLongValue.compareAndSet(false, true)) {
            ApiLog.warn("metric '" + family + "' got a label value of " + length + " characters; label values are at"
                    + " most " + MAX_LABEL_VALUE_LENGTH + ", and label sets with a longer one are folded into its series"
                    + " whose variable labels are all \"" + OVERFLOW_VALUE + "\" and counted in " + FOLDED_FAMILY
                    + "_total{" + FOLDED_LABEL + "=\"" + family + "\"}. Use short label values (no payloads, no free"
                    + " text)");
        }
    }

    /**
     * Shows the family's folded-label-set counter at 0 from its first labelled metric on: PromQL's
     * {@code increase} and {@code rate} count from a series' first scrape, so a counter that first
     * appeared at its first fold would hide that fold, and the whole of a burst that fills the family
     * at once. Called under the store's lock; the counter's own family has none.
     */
    void showFoldedCounter() {
        if (folded == null && !family.equals(FOLDED_FAMILY)) {
            folded = store.foldedLabelSets(family);
        }
    }

    private void countFolded() {
        IntCounter counter = folded;
        if (store == null) {
            return;
        }
        if (counter == null) {
            counter = store.foldedLabelSets(family);
            folded = counter;
        }
        counter.inc();
    }

    /** Counts a new place's series folded because the family is full; warns once. */
    void foldPlace() {
        countFolded();
        if (warnedPlaces.compareAndSet(false, true)) {
            ApiLog.warn("metric '" + family + "' reached its limit of " + limit() + " places; further places"
                    + " (namespaces, components, endpoints) are folded into its place whose automatic and constant"
                    + " labels are all \"" + OVERFLOW_VALUE + "\", shown on the runtime's page, and counted in "
                    + FOLDED_FAMILY + "_total{" + FOLDED_LABEL + "=\"" + family + "\"}. Never make a place from request"
                    + " data (a user id, a name a client sends): give such values to a vec's label. Or raise the limit"
                    + " with " + LimitSetting.MAX_SERIES.variable);
        }
    }

    /** Counts a label set folded because the family is full ({@code why}, from {@link #admit}); warns once. */
    void fold(Admission why) {
        int limit = limit();
        countFolded();
        if (why == Admission.BYTES_FULL) {
            if (warnedBytes.compareAndSet(false, true)) {
                ApiLog.warn("metric '" + family + "' reached its limit of " + byteBudget() + " bytes of label values"
                        + " on a page (" + LABEL_BYTES_PER_SERIES + " for each of the " + limit + " label sets of its"
                        + " series limit; a label set's values count once for each line its series writes) with "
                        + series() + " label sets; further label sets are folded into its series whose variable"
                        + " labels are all \"" + OVERFLOW_VALUE + "\" and counted in " + FOLDED_FAMILY + "_total{"
                        + FOLDED_LABEL + "=\"" + family + "\"}. Use short label values (no payloads, no free text),"
                        + " or raise the series limit, and this one with it, with " + LimitSetting.MAX_SERIES.variable
                        + " or MetricVec.setMaxSeries");
            }
            return;
        }
        if (warned.compareAndSet(false, true)) {
            ApiLog.warn("metric '" + family + "' reached its limit of " + limit + " label sets; further label sets"
                    + " are folded into its series whose variable labels are all \"" + OVERFLOW_VALUE
                    + "\" and counted in " + FOLDED_FAMILY + "_total{" + FOLDED_LABEL + "=\"" + family
                    + "\"}. " + (WorkHandlerFamilies.ERRORS_FAMILY.equals(family) ? ERRORS_ADVICE
                    : "Use fewer distinct label values (no ids, no free text), or raise the limit with "
                    + LimitSetting.MAX_SERIES.variable + " or MetricVec.setMaxSeries"));
        }
    }
}
