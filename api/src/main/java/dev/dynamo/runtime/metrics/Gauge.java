package dev.dynamo.runtime.metrics;

/**
 * A floating-point value that can go up and down.
 *
 * <pre>{@code
 * Gauge load = endpoint.metrics().createGauge("load", "Current load", Collections.emptyMap());
 * load.set(0.75);
 * }</pre>
 */
public interface Gauge {

    /** Sets the value. */
    void set(double value);

    /** Adds one. */
    void inc();

    /** Subtracts one. */
    void dec();

    /** Adds {@code amount} (which may be negative). */
    void add(double amount);

    /** Subtracts {@code amount} (which may be negative). */
    void sub(double amount);

    /** The current value. */
    double get();
}
