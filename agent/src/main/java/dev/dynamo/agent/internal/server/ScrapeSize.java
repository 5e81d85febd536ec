package dev.dynamo.agent.internal.server;

/**
 * How large a scrape's collection will be, known before anything is collected: its samples, the
 * bytes of their lines in the text format, and how many of the samples the API merges across its
 * copies. What {@link RenderCost} turns into the heap a render takes.
 */
public final class ScrapeSize {
    static final ScrapeSize NOTHING = new ScrapeSize(0, 0, 0);

    final long samples;
    final long textBytes;
    final long mergedSamples;

    public ScrapeSize(long samples, long textBytes, long mergedSamples) {
        this.samples = samples;
        this.textBytes = textBytes;
        this.mergedSamples = mergedSamples;
    }

    public long samples() {
        return samples;
    }

    public long textBytes() {
        return textBytes;
    }

    ScrapeSize plus(ScrapeSize other) {
        return new ScrapeSize(samples + other.samples, textBytes + other.textBytes, mergedSamples + other.mergedSamples);
    }

    @Override
    public String toString() {
        return samples + " samples, " + textBytes + " bytes of text, " + mergedSamples + " merged";
    }
}
