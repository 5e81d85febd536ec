package dev.dynamo.runtime;

import dev.dynamo.runtime.internal.HealthState;

import java.util.concurrent.TimeUnit;

/**
 * What the application tells {@code /health}: the whole runtime ready or not, and checks to call
 * when the probe asks. Endpoints are marked with {@link Endpoint#markServed()} and
 * {@link Endpoint#setHealthy(boolean)}. Without the agent nothing is served, and these calls only
 * record.
 *
 * <pre>{@code
 * Health health = DistributedRuntime.get().health();
 * health.setReady(false);                  // warming the cache: /health answers 503
 * health.registerCheck("database", () -> database.ping());
 * health.setReady(true);
 * }</pre>
 */
public final class Health {
    /** How long a check may take unless it is registered with its own timeout. */
    public static final long DEFAULT_CHECK_TIMEOUT_MILLIS = 500;

    private final HealthState state;

    Health(HealthState state) {
        this.state = state;
    }

    /**
     * Says whether the runtime as a whole is ready. {@code false} turns {@code /health} to 503
     * whatever the endpoints say; {@code true} makes it ready without waiting for an endpoint,
     * unless {@code DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS} names endpoints that are not served yet.
     */
    public void setReady(boolean ready) {
        state.setRuntimeReady(ready);
    }

    /**
     * Registers {@code check} under {@code name} (replacing a check of that name) with a timeout of
     * {@value #DEFAULT_CHECK_TIMEOUT_MILLIS} ms.
     *
     * @throws IllegalArgumentException when {@code name} is null or empty, or {@code check} is null
     */
    public void registerCheck(String name, HealthCheck check) {
        registerCheck(name, DEFAULT_CHECK_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS, check);
    }

    /**
     * Registers {@code check} under {@code name} with its own timeout. Checks run concurrently when
     * {@code /health} is asked, so the answer takes at most the longest timeout; keep it below the
     * probe's own timeout (Kubernetes: 1 s by default).
     *
     * @throws IllegalArgumentException when {@code name} is null or empty, {@code check} or
     *         {@code unit} is null, or {@code timeout} is not positive
     */
    public void registerCheck(String name, long timeout, TimeUnit unit, HealthCheck check) {
        if (name == null || name.trim().isEmpty()) {
            throw new IllegalArgumentException("Health check name is " + (name == null ? "null" : "empty")
                    + "; give the check a name, e.g. \"database\", under which /health reports it");
        }
        if (check == null) {
            throw new IllegalArgumentException("Health check '" + name + "' is null; pass a function that returns"
                    + " whether the condition holds");
        }
        if (unit == null) {
            throw new IllegalArgumentException("Time unit of the timeout of health check '" + name + "' is null;"
                    + " give one, e.g. 500, TimeUnit.MILLISECONDS");
        }
        if (timeout <= 0) {
            throw new IllegalArgumentException("Timeout of health check '" + name + "' must be positive, got "
                    + timeout + " " + unit + "; give e.g. 500 ms");
        }
        long millis = Math.max(1, unit.toMillis(timeout));
        state.addCheck(name, check::isHealthy, millis);
    }

    /**
     * Removes the check {@code name}.
     *
     * @return whether there was such a check
     */
    public boolean unregisterCheck(String name) {
        return name != null && state.removeCheck(name);
    }
}
