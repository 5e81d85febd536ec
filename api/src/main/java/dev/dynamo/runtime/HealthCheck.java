package dev.dynamo.runtime;

/**
 * A readiness condition that the agent evaluates when {@code /health} is asked, e.g. that the
 * database answers. Returning false, throwing, or not returning within the check's timeout all
 * read as not ready.
 *
 * <pre>{@code
 * DistributedRuntime.get().health().registerCheck("database", () -> dataSource.getConnection().isValid(1));
 * }</pre>
 */
@FunctionalInterface
public interface HealthCheck {

    /** Whether the condition holds now. */
    boolean isHealthy() throws Exception;
}
