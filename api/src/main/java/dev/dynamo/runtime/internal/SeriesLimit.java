package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.IntCounter;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cardinality guard of one family: how many variable label sets its vecs may hold together.
 * Consulted only when a vec is about to create a child, so the lookup of an existing child costs
 * nothing more. Past the limit a vec hands out its overflow child (every variable label
 * {@value #OVERFLOW_VALUE}), the family is named once in a warning, and each folded lookup counts in
 * {@value #FOLDED_FAMILY}{@code _total{family="..."}}.
 */
final class SeriesLimit {
    /** The value of every variable label of the series that label sets past the limit fold into. */
    static final String OVERFLOW_VALUE = "__overflow__";
    /** The longest variable label value that gets a series of its own, in characters. */
    public static final int MAX_LABEL_VALUE_LENGTH = 4096;
    /** The counter of folded label sets, labelled by {@value #FOLDED_LABEL}. */
    static final String FOLDED_FAMILY = "dynamo_metrics_folded_label_sets";
    static final String FOLDED_HELP = "Label sets that did not get a series of their own because their metric"
            + " reached its series limit, and were folded into its overflow series";
    static final String FOLDED_LABEL = "family";

    private final String family;
    private final MetricStore store;
    /** 0: the store's default applies. */
    private volatile int explicitLimit;
    private final AtomicInteger series = new AtomicInteger();
    private final AtomicBoolean warned = new AtomicBoolean();
    private final AtomicBoolean warnedLongValue = new AtomicBoolean();
    private volatile IntCounter folded;

    SeriesLimit(String family, MetricStore store) {
        this.family = family;
        this.store = store;
    }

    /** A limit of no series at all would only fold; at least one must be allowed. */
    void setLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("Series limit of metric '" + family + "' must be at least 1, got "
                    + limit + "; pass the most label sets it may have (the default, " + MaxSeriesSetting.defaultLimit()
                    + ", comes from " + MaxSeriesSetting.VARIABLE + ")");
        }
        explicitLimit = limit;
    }

    int limit() {
        int explicit = explicitLimit;
        return explicit > 0 ? explicit : MaxSeriesSetting.defaultLimit();
    }

    /**
     * Takes one place for a new child; false when the family is full, and the label set is then to be
     * folded ({@link #fold}). Called under this object's lock, as {@link #release} is: the places
     * taken are then exactly the children that exist, never a racing creation of the same label set
     * or a removal that has not given its place back yet.
     */
    boolean admit() {
        int current = series.get();
        if (current >= limit()) {
            return false;
        }
        series.set(current + 1);
        return true;
    }

    /** Gives back a place: a child was removed. Called under this object's lock (see {@link #admit}). */
    void release() {
        series.decrementAndGet();
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
        if (counter == null) {
            counter = store.foldedLabelSets(family);
            folded = counter;
        }
        counter.inc();
    }

    /** Counts a label set folded because the family is full, and warns the first time. */
    void fold() {
        int limit = limit();
        countFolded();
        if (warned.compareAndSet(false, true)) {
            ApiLog.warn("metric '" + family + "' reached its limit of " + limit + " label sets; further label sets"
                    + " are folded into its series whose variable labels are all \"" + OVERFLOW_VALUE
                    + "\" and counted in " + FOLDED_FAMILY + "_total{" + FOLDED_LABEL + "=\"" + family
                    + "\"}. Use fewer distinct label values (no ids, no free text), or raise the limit with "
                    + MaxSeriesSetting.VARIABLE + " or MetricVec.setMaxSeries");
        }
    }
}
