package dev.dynamo.runtime.metrics;

/**
 * A monotonically increasing integer count, exposed with the {@code _total} suffix.
 *
 * <pre>{@code
 * IntCounter requests = endpoint.metrics().createIntCounter("requests", "Requests served", Collections.emptyMap());
 * requests.inc();
 * }</pre>
 */
public interface IntCounter {

    /** Adds one. */
    void inc();

    /**
     * Adds {@code amount}.
     *
     * @throws IllegalArgumentException when {@code amount} is negative
     */
    void inc(long amount);

    /** The current count; once past {@code Long.MAX_VALUE} it stays there, as a counter never goes down. */
    long get();
}
