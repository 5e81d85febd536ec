package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.internal.bridge.HealthFormat;
import dev.dynamo.runtime.metrics.PrometheusNames;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
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
    /** The setting that names the endpoints gating readiness, as a variable and as a system property. */
    private static final String GATING_VARIABLE = "DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS";
    private static final String GATING_PROPERTY = "dyn.system.use.endpoint.health.status";

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
        keepBeyondTheLimit(namesIn(setting(GATING_PROPERTY, GATING_VARIABLE)));
    }

    /**
     * The value of the system property, else of the variable; null when neither is readable. Read here, before
     * any agent starts: an application that names its endpoints from data and is attached to later would
     * otherwise have left out a gating endpoint's state before the agent could say to keep it (a re-tester).
     * Given only to the agent (its arguments, its file), the list is known from the agent's start.
     */
    private static String setting(String property, String variable) {
        try {
            String value = System.getProperty(property);
            return value != null && !value.trim().isEmpty() ? value : System.getenv(variable);
        } catch (SecurityException notGranted) {
            return null;
        }
    }

    /**
     * The endpoint names a JSON list of strings gives, as label values, read leniently: the agent reads the
     * setting strictly and reports what is wrong with it; keeping a name more is harmless.
     */
    static List<String> namesIn(String list) {
        List<String> names = new ArrayList<String>();
        if (list == null) {
            return names;
        }
        StringBuilder name = null;
        for (int i = 0; i < list.length(); i++) {
            char c = list.charAt(i);
            if (name == null) {
                if (c == '"') {
                    name = new StringBuilder();
                }
            } else if (c == '\\' && i + 1 < list.length()) {
                name.append(list.charAt(++i));
            } else if (c == '"') {
                try {
                    names.add(PrometheusNames.sanitizeLabelName(name.toString()));
                } catch (IllegalArgumentException noName) {
                    // The agent says so.
                }
                name = null;
            } else {
                name.append(c);
            }
        }
        return names;
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

    /** Keeps the state of {@code names}, besides those kept already, whatever the number of endpoint names kept. */
    public void keepBeyondTheLimit(Collection<String> names) {
        synchronized (endpoints) {
            Set<String> kept = new HashSet<String>(keptBeyondTheLimit);
            kept.addAll(names);
            keptBeyondTheLimit = kept;
        }
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
