package dev.dynamo.runtime.metrics;

/**
 * An integer value that can go up and down.
 *
 * <pre>{@code
 * IntGauge queued = endpoint.metrics().createIntGauge("queued", "Requests waiting", Collections.emptyMap());
 * queued.inc();
 * }</pre>
 */
public interface IntGauge {

    /** Sets the value. */
    void set(long value);

    /** Adds one. */
    void inc();

    /** Subtracts one. */
    void dec();

    /** Adds {@code amount} (which may be negative). */
    void add(long amount);

    /** Subtracts {@code amount} (which may be negative). */
    void sub(long amount);

    /** The current value. */
    long get();
}
