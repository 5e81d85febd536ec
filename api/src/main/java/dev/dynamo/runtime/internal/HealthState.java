package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.internal.bridge.HealthFormat;

import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
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
    /**
     * Endpoint names whose state is kept: far more than an application serves, and few enough that
     * {@code /health} stays small. Each kept name stays for the life of the JVM, listed at every
     * {@code /health}; endpoints named from request data made both grow until the heap ran out (a
     * re-tester: 470,000 names at {@code -Xmx64m}, a 7.5 MB {@code /health} at 400,000).
     */
    static final int MAX_ENDPOINTS = 1_000;
    private static final HealthState GLOBAL = new HealthState(MAX_ENDPOINTS);

    /** null: the application has not said. */
    private volatile Boolean runtimeReady;
    /** Endpoint label value to whether the application says it is healthy; new names are put under its lock. */
    private final ConcurrentMap<String, Boolean> endpoints = new ConcurrentHashMap<String, Boolean>();
    private final int maxEndpoints;
    /**
     * The endpoints kept past {@link #maxEndpoints}: those whose health gates readiness
     * ({@code DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS}), which would otherwise read as not ready for good.
     */
    private volatile Set<String> keptBeyondTheLimit = Collections.emptySet();
    /** Whether the first name past {@link #maxEndpoints} was reported; guarded by {@link #endpoints}. */
    private boolean capReported;
    /** Check name to the check as {@link HealthFormat#check} encodes it, by name. */
    private final ConcurrentMap<String, Object[]> checks = new ConcurrentSkipListMap<String, Object[]>();

    /** The state behind {@code DistributedRuntime.get().health()}. */
    public static HealthState global() {
        return GLOBAL;
    }

    public void setRuntimeReady(boolean ready) {
        runtimeReady = ready;
    }

    HealthState(int maxEndpoints) {
        this.maxEndpoints = maxEndpoints;
    }

    /**
     * Sets the state of {@code endpoint}; a name beyond the {@link #MAX_ENDPOINTS} kept is not kept,
     * with one warning.
     */
    public void setEndpointHealthy(String endpoint, boolean healthy) {
        if (endpoints.replace(endpoint, healthy) != null) {
            return;
        }
        synchronized (endpoints) {
            if (endpoints.size() < maxEndpoints || endpoints.containsKey(endpoint)
                    || keptBeyondTheLimit.contains(endpoint)) {
                endpoints.put(endpoint, healthy);
                return;
            }
            if (capReported) {
                return;
            }
            capReported = true;
        }
        ApiLog.warn("the health of " + maxEndpoints + " endpoints is kept; '" + endpoint + "' and further new"
                + " endpoints set served or healthy are left out of /health and of readiness, except those named in"
                + " DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS: are endpoints named from request data? Name them for the"
                + " code that serves them");
    }

    /** Keeps the state of {@code names} whatever the number of endpoint names kept. */
    public void keepBeyondTheLimit(Collection<String> names) {
        keptBeyondTheLimit = new HashSet<String>(names);
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
