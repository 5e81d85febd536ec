package dev.dynamo.runtime.internal.bridge;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * How what an application said through the health API crosses to the agent: one {@code Object[]}
 * per copy of the API, holding JDK types only.
 *
 * <pre>
 * state: {runtime ready (Boolean, null when not said), endpoints (Map&lt;String, Boolean&gt;),
 *         checks (Map&lt;String, check&gt;), format version (Integer)}
 * check: {the check (Callable&lt;Boolean&gt;), timeout in milliseconds (Long)}
 * </pre>
 *
 * The one encoder and the one decoder; see the package description for the versioning rules.
 */
public final class HealthFormat {
    /** The format this code writes, and the newest it reads. 2: the version travels at {@link #STATE_VERSION}. */
    public static final int VERSION = 2;
    /** The version of a state that carries none: written before the version travelled, same indices otherwise. */
    public static final int UNVERSIONED = 1;

    public static final int STATE_RUNTIME_READY = 0;
    public static final int STATE_ENDPOINTS = 1;
    public static final int STATE_CHECKS = 2;
    /** Stays at this index in every future version. */
    public static final int STATE_VERSION = 3;

    public static final int CHECK_CALLABLE = 0;
    public static final int CHECK_TIMEOUT_MILLIS = 1;

    private HealthFormat() {
    }

    /** One copy's state; {@code checks} hold values made by {@link #check}. Both maps are copied. */
    public static Object[] state(Boolean runtimeReady, Map<String, Boolean> endpoints, Map<String, Object[]> checks) {
        return new Object[] {runtimeReady, Collections.unmodifiableMap(new LinkedHashMap<String, Boolean>(endpoints)),
            Collections.unmodifiableMap(new LinkedHashMap<String, Object[]>(checks)), VERSION};
    }

    public static Object[] check(Callable<Boolean> check, long timeoutMillis) {
        return new Object[] {check, timeoutMillis};
    }

    /** The format version of an encoded state. */
    public static int versionOf(Object[] state) {
        return state.length > STATE_VERSION ? (Integer) state[STATE_VERSION] : UNVERSIONED;
    }

    /**
     * One copy's state, or null when it comes in a newer version than this code reads: a caller
     * then leaves it out and says so once.
     */
    public static State decode(Object[] encoded) {
        if (versionOf(encoded) > VERSION) {
            return null;
        }
        @SuppressWarnings("unchecked")
        Map<String, Boolean> endpoints = (Map<String, Boolean>) encoded[STATE_ENDPOINTS];
        @SuppressWarnings("unchecked")
        Map<String, Object[]> checks = (Map<String, Object[]>) encoded[STATE_CHECKS];
        Map<String, Check> decodedChecks = new LinkedHashMap<String, Check>();
        for (Map.Entry<String, Object[]> check : checks.entrySet()) {
            @SuppressWarnings("unchecked")
            Callable<Boolean> callable = (Callable<Boolean>) check.getValue()[CHECK_CALLABLE];
            decodedChecks.put(check.getKey(), new Check(callable, (Long) check.getValue()[CHECK_TIMEOUT_MILLIS]));
        }
        return new State((Boolean) encoded[STATE_RUNTIME_READY], endpoints, decodedChecks);
    }

    /** One copy's decoded state. */
    public static final class State {
        private final Boolean runtimeReady;
        private final Map<String, Boolean> endpoints;
        private final Map<String, Check> checks;

        State(Boolean runtimeReady, Map<String, Boolean> endpoints, Map<String, Check> checks) {
            this.runtimeReady = runtimeReady;
            this.endpoints = endpoints;
            this.checks = checks;
        }

        /** null when the application has not said. */
        public Boolean runtimeReady() {
            return runtimeReady;
        }

        /** Endpoint label value to whether the application says it is healthy. */
        public Map<String, Boolean> endpoints() {
            return endpoints;
        }

        /** Check name to check, by name. */
        public Map<String, Check> checks() {
            return checks;
        }
    }

    /** One health check: what to call, and how long to wait for it. */
    public static final class Check {
        private final Callable<Boolean> callable;
        private final long timeoutMillis;

        Check(Callable<Boolean> callable, long timeoutMillis) {
            this.callable = callable;
            this.timeoutMillis = timeoutMillis;
        }

        /** The application's check; the same object on every read, so a running call can be recognised. */
        public Callable<Boolean> callable() {
            return callable;
        }

        public long timeoutMillis() {
            return timeoutMillis;
        }
    }
}
