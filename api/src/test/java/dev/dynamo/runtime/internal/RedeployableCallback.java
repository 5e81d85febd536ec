package dev.dynamo.runtime.internal;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * A class of an application that the tests deploy several times, each time in a class loader of its
 * own: a callback of every kind, giving {@code value}, that counts its runs ({@link #getAsInt}).
 * Only JDK types cross between the deployments and the tests.
 */
public class RedeployableCallback implements Runnable, DoubleSupplier, Supplier<Map<List<String>, Double>>,
        IntSupplier {
    private final double value;
    private volatile int runs;

    public RedeployableCallback(double value) {
        this.value = value;
    }

    @Override
    public void run() {
        runs++;
    }

    @Override
    public double getAsDouble() {
        return value;
    }

    @Override
    public Map<List<String>, Double> get() {
        return Collections.singletonMap(Collections.singletonList("a"), value);
    }

    @Override
    public int getAsInt() {
        return runs;
    }
}
