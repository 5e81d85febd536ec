package dev.dynamo.agent.internal.server;

import io.prometheus.client.Predicate;

/**
 * A collector that can tell how large its next collection will be without collecting, so that a
 * scrape too large for the free heap is refused before it takes any ({@link HeapHeadroom}).
 */
public interface SizedCollector {
    /**
     * The size of {@code collect(sampleNameFilter)} now, or null when it cannot be told.
     *
     * @param sampleNameFilter the samples asked for; null for all
     */
    ScrapeSize sizeOf(Predicate<String> sampleNameFilter);
}
