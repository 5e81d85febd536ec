package dev.dynamo.runtime.metrics;

/**
 * A monotonically increasing floating-point count, exposed with the {@code _total} suffix.
 *
 * <pre>{@code
 * Counter tokens = endpoint.metrics().createCounter("tokens", "Tokens generated", Collections.emptyMap());
 * tokens.inc(128);
 * }</pre>
 */
public interface Counter {

    /** Adds one. */
    void inc();

    /**
     * Adds {@code amount}.
     *
     * @throws IllegalArgumentException when {@code amount} is negative, NaN or infinite
     */
    void inc(double amount);

    /** The current count. */
    double get();
}
