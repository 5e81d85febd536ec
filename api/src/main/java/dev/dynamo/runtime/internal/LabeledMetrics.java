package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.MetricVec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The children of a vec metric, keyed by their label values. A child is created on first use and
 * lives until {@link #remove}d. Creating one asks the family's {@link SeriesLimit} first; past its
 * limits (label sets, and the bytes of their values on a page) the label set gets the overflow child
 * instead.
 *
 * @param <T> the child's API type
 * @param <C> the child's implementation
 */
abstract class LabeledMetrics<T, C extends T> implements MetricVec<T>, Collectable {
    private final List<String> labelNames;
    private final ConcurrentHashMap<List<String>, C> children = new ConcurrentHashMap<List<String>, C>();
    /** Set when the vec is registered, before any caller can see it. */
    private volatile SeriesLimit seriesLimit;
    private volatile C overflow;
    /**
     * The bytes of every child's label values on a page, kept as children come and go so that
     * {@link #measure} need not read them all.
     */
    private final AtomicLong valueBytes = new AtomicLong();

    LabeledMetrics(List<String> labelNames) {
        this.labelNames = Collections.unmodifiableList(new ArrayList<String>(labelNames));
    }

    /** Creates the child for one set of label values. */
    abstract C newChild();

    @Override
    public T withLabelValues(String... labelValues) {
        List<String> key = key(labelValues);
        C child = children.get(key);
        if (child != null) {
            return child;
        }
        List<String> wellFormed = LabelValues.wellFormed(key);
        if (wellFormed != key) {
            key = wellFormed;
            child = children.get(key);
            if (child != null) {
                return child;
            }
        }
        if (isOverflowKey(key)) {
            // The overflow series itself, asked for by its values: it takes no place under the limit.
            return overflowChild();
        }
        SeriesLimit limit = seriesLimit;
        if (limit != null) {
            int longest = longestValue(key);
            if (longest > SeriesLimit.MAX_LABEL_VALUE_LENGTH) {
                limit.foldLongValue(longest);
                return overflowChild();
            }
            long bytes = LabelValues.exposedBytes(key);
            SeriesLimit.Admission admission;
            // One creation at a time in the family: threads creating the same label set at once, or one
            // creating while another removes, must not make a family within its limit look full.
            synchronized (limit) {
                C raced = children.get(key);
                if (raced != null) {
                    return raced;
                }
                admission = limit.admit(bytes * linesPerChild());
                if (admission == SeriesLimit.Admission.ADMITTED) {
                    C created = newChild();
                    children.put(key, created);
                    valueBytes.addAndGet(bytes);
                    return created;
                }
            }
            limit.fold(admission);
            return overflowChild();
        }
        C created = newChild();
        C raced = children.putIfAbsent(key, created);
        if (raced != null) {
            return raced;
        }
        valueBytes.addAndGet(LabelValues.exposedBytes(key));
        return created;
    }

    /** The sample lines a child writes on a page, each with the child's label values: one, but for histograms. */
    int linesPerChild() {
        return 1;
    }

    /** The length of the longest of {@code values}, for {@link SeriesLimit#MAX_LABEL_VALUE_LENGTH}. */
    static int longestValue(List<String> values) {
        int longest = 0;
        for (String value : values) {
            longest = Math.max(longest, value.length());
        }
        return longest;
    }

    private static boolean isOverflowKey(List<String> key) {
        for (String value : key) {
            if (!SeriesLimit.OVERFLOW_VALUE.equals(value)) {
                return false;
            }
        }
        return !key.isEmpty();
    }

    /** The child that label sets past the limit share; it does not count against the limit. */
    private C overflowChild() {
        C existing = overflow;
        if (existing != null) {
            return existing;
        }
        C created = newChild();
        List<String> key = Collections.nCopies(labelNames.size(), SeriesLimit.OVERFLOW_VALUE);
        C raced = children.putIfAbsent(key, created);
        if (raced == null) {
            valueBytes.addAndGet(LabelValues.exposedBytes(key));
        }
        C child = raced != null ? raced : created;
        overflow = child;
        return child;
    }

    /** Called by the store when the vec joins its family. */
    void attach(SeriesLimit limit) {
        seriesLimit = limit;
    }

    @Override
    public void setMaxSeries(int maxSeries) {
        seriesLimit.setLimit(maxSeries);
    }

    @Override
    public boolean remove(String... labelValues) {
        List<String> key = LabelValues.wellFormed(key(labelValues));
        SeriesLimit limit = seriesLimit;
        if (limit == null) {
            return removeChild(key, null);
        }
        synchronized (limit) {
            return removeChild(key, limit);
        }
    }

    /** Removes the child of {@code key}, and gives its place back to {@code limit}, if any. */
    private boolean removeChild(List<String> key, SeriesLimit limit) {
        C removed = children.remove(key);
        if (removed == null) {
            return false;
        }
        long bytes = LabelValues.exposedBytes(key);
        valueBytes.addAndGet(-bytes);
        if (removed == overflow) {
            overflow = null;
        } else if (limit != null) {
            limit.release(bytes * linesPerChild());
        }
        return true;
    }

    @Override
    public List<String> getLabelNames() {
        return labelNames;
    }

    private List<String> key(String[] labelValues) {
        if (labelValues == null || labelValues.length != labelNames.size()) {
            int given = labelValues == null ? 0 : labelValues.length;
            throw new IllegalArgumentException("Expected " + labelNames.size() + " label values for " + labelNames
                    + " but got " + given + (labelValues == null ? "" : ": " + Arrays.toString(labelValues))
                    + "; pass one value per label name, in that order");
        }
        for (int i = 0; i < labelValues.length; i++) {
            if (labelValues[i] == null) {
                throw new IllegalArgumentException("Label value for '" + labelNames.get(i)
                        + "' is null; pass a string (it may be empty)");
            }
        }
        return Arrays.asList(labelValues.clone());
    }

    @Override
    public void collect(SampleNames family, List<String> fixedValues, List<Sample> out) {
        for (Map.Entry<List<String>, C> child : children.entrySet()) {
            // A view, not a copy: a scrape of 10,000 series would otherwise copy 10,000 lists.
            List<String> values = new JoinedList(fixedValues, child.getKey());
            ((Collectable) child.getValue()).collect(family, values, out);
        }
    }

    /** Every child as large as any one of them, with the label values of all: no child's labels are read. */
    @Override
    public void measure(SampleNames family, long fixedValueBytes, ExpositionSize size) {
        int count = children.size();
        ExpositionSize one = new ExpositionSize();
        Iterator<C> any = children.values().iterator();
        if (any.hasNext()) {
            ((Collectable) any.next()).measure(family, fixedValueBytes, one);
        }
        size.addTimes(one, count);
        size.addBytes(one.samples * valueBytes.get());
    }
}
