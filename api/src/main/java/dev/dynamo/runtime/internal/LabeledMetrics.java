package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.MetricVec;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The children of a vec metric, keyed by their label values. A child is created on first use and
 * lives until {@link #remove}d.
 *
 * @param <T> the child's API type
 * @param <C> the child's implementation
 */
abstract class LabeledMetrics<T, C extends T> implements MetricVec<T>, Collectable {
    private final List<String> labelNames;
    private final ConcurrentHashMap<List<String>, C> children = new ConcurrentHashMap<List<String>, C>();

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
        C created = newChild();
        C raced = children.putIfAbsent(key, created);
        return raced != null ? raced : created;
    }

    @Override
    public boolean remove(String... labelValues) {
        return children.remove(key(labelValues)) != null;
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

    /** The fixed label values followed by a child's own, read-only. */
    private static final class JoinedList extends AbstractList<String> implements RandomAccess {
        private final List<String> head;
        private final List<String> tail;

        JoinedList(List<String> head, List<String> tail) {
            this.head = head;
            this.tail = tail;
        }

        @Override
        public String get(int index) {
            return index < head.size() ? head.get(index) : tail.get(index - head.size());
        }

        @Override
        public int size() {
            return head.size() + tail.size();
        }
    }

    @Override
    public void collect(SampleNames family, List<String> fixedValues, List<Sample> out) {
        for (Map.Entry<List<String>, C> child : children.entrySet()) {
            // A view, not a copy: a scrape of 10,000 series would otherwise copy 10,000 lists.
            List<String> values = new JoinedList(fixedValues, child.getKey());
            ((Collectable) child.getValue()).collect(family, values, out);
        }
    }
}
