package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.internal.bridge.HealthFormat;

import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * What the application said about its readiness through the health API: the runtime as a whole,
 * single endpoints, and the checks to call when {@code /health} is asked. The agent reads it with
 * {@link #encode()}, as JDK types only, and decides.
 */
public final class HealthState {
    private static final HealthState GLOBAL = new HealthState();

    /** null: the application has not said. */
    private volatile Boolean runtimeReady;
    /** Endpoint label value to whether the application says it is healthy. */
    private final ConcurrentMap<String, Boolean> endpoints = new ConcurrentHashMap<String, Boolean>();
    /** Check name to the check as {@link HealthFormat#check} encodes it, by name. */
    private final ConcurrentMap<String, Object[]> checks = new ConcurrentSkipListMap<String, Object[]>();

    /** The state behind {@code DistributedRuntime.get().health()}. */
    public static HealthState global() {
        return GLOBAL;
    }

    public void setRuntimeReady(boolean ready) {
        runtimeReady = ready;
    }

    public void setEndpointHealthy(String endpoint, boolean healthy) {
        endpoints.put(endpoint, healthy);
    }

    /** Adds the check {@code name}, replacing one of that name. */
    public void addCheck(String name, Callable<Boolean> check, long timeoutMillis) {
        checks.put(name, HealthFormat.check(check, timeoutMillis));
    }

    public boolean removeCheck(String name) {
        return checks.remove(name) != null;
    }

    /** This state in {@link HealthFormat}, for the agent. */
    public Object[] encode() {
        return HealthFormat.state(runtimeReady, endpoints, checks);
    }
}
