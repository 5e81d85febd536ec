package dev.dynamo.agent.internal.server;

import io.prometheus.client.Collector.MetricFamilySamples;

import java.util.Enumeration;
import java.util.NoSuchElementException;
import java.util.function.UnaryOperator;

/**
 * The families of an enumeration, each passed through a filter that returns what of it stays, or
 * null to drop it; applied as the page is written, so no filtered copy of the page is held.
 */
final class FamiliesKept implements Enumeration<MetricFamilySamples> {
    private final Enumeration<MetricFamilySamples> all;
    private final UnaryOperator<MetricFamilySamples> keep;
    private MetricFamilySamples next;

    FamiliesKept(Enumeration<MetricFamilySamples> all, UnaryOperator<MetricFamilySamples> keep) {
        this.all = all;
        this.keep = keep;
    }

    @Override
    public boolean hasMoreElements() {
        while (next == null && all.hasMoreElements()) {
            next = keep.apply(all.nextElement());
        }
        return next != null;
    }

    @Override
    public MetricFamilySamples nextElement() {
        if (!hasMoreElements()) {
            throw new NoSuchElementException();
        }
        MetricFamilySamples result = next;
        next = null;
        return result;
    }
}
