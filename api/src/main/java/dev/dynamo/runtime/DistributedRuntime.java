package dev.dynamo.runtime;

import dev.dynamo.runtime.internal.ApiLog;
import dev.dynamo.runtime.internal.MetricStore;
import dev.dynamo.runtime.internal.ExportBridge;
import dev.dynamo.runtime.internal.HealthState;
import dev.dynamo.runtime.internal.ScopedMetricsRegistry;
import dev.dynamo.runtime.metrics.MetricsRegistry;
import dev.dynamo.runtime.metrics.PrometheusNames;

import java.util.Collections;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.DoubleSupplier;

/**
 * The process-wide root of the hierarchy: namespaces, components and endpoints, each with metrics.
 *
 * <pre>{@code
 * Endpoint ep = DistributedRuntime.get().namespace("ns").component("comp").endpoint("ep");
 * ep.metrics().createCounter("requests", "Requests served", Collections.emptyMap()).inc();
 * }</pre>
 */
public final class DistributedRuntime {
    private static volatile DistributedRuntime instance;

    private final MetricStore store;
    private final ScopedMetricsRegistry metrics;
    private final long startNanos = System.nanoTime();
    private final ConcurrentMap<String, Namespace> namespaces = new ConcurrentHashMap<String, Namespace>();
    private final Health health = new Health(HealthState.global());

    private DistributedRuntime(MetricStore store) {
        this.store = store;
        this.metrics = new ScopedMetricsRegistry(store, Collections.<String>emptyList());
        // A class, not a method reference, which the JVM would spin a class for at start (see HierarchyNode).
        metrics.createCallbackGauge(PrometheusNames.Runtime.UPTIME_SECONDS,
                PrometheusNames.Runtime.UPTIME_SECONDS_HELP, new DoubleSupplier() {
                    @Override
                    public double getAsDouble() {
                        return uptimeSeconds();
                    }
                });
    }

    /** The runtime of this process, created on first use. */
    public static DistributedRuntime get() {
        DistributedRuntime runtime = instance;
        if (runtime == null) {
            synchronized (DistributedRuntime.class) {
                runtime = instance;
                if (runtime == null) {
                    runtime = new DistributedRuntime(MetricStore.global());
                    instance = runtime;
                    connect();
                }
            }
        }
        return runtime;
    }

    /**
     * Hands this copy's metrics to the agent. A copy that a class loader assembles from two jars (its
     * own dynamo-api.jar lacks classes, which its parent's copy then provides) cannot be connected:
     * said once, and the application runs on with its metrics unexported.
     */
    private static void connect() {
        boolean exported;
        try {
            exported = ExportBridge.connect();
        } catch (LinkageError mixed) {
            warnIncomplete(String.valueOf(mixed));
            return;
        } catch (SecurityException refused) {
            // Before, the application's first get() threw it, and the runtime was in use from the second on.
            ApiLog.warn("metrics are recorded in this process but not exported: a SecurityManager refused the dynamo"
                    + " API loaded by " + ApiLog.loaderName(DistributedRuntime.class.getClassLoader())
                    + " its look for the agent (" + refused
                    + "). Where the JVM runs the dynamo agent, leave dynamo-api.jar out of the application (provided"
                    + " scope: the agent brings its own) or grant that jar java.security.AllPermission"
                    + " (docs/troubleshooting.md, \"Under a SecurityManager\"); without the agent nothing is exported"
                    + " anyway");
            return;
        }
        ClassLoader own = DistributedRuntime.class.getClassLoader();
        if (ExportBridge.class.getClassLoader() != own) {
            warnIncomplete("its class " + ExportBridge.class.getName() + " comes from "
                    + ApiLog.loaderName(ExportBridge.class.getClassLoader()));
        } else if (!exported) {
            // After a dynamic attach this line stays above the agent's "connected" one: it says so itself.
            ApiLog.warn("metrics are recorded in this process but not exported: the dynamo agent is not attached"
                    + " (start the JVM with -javaagent:dynamo-agent.jar to serve them on /metrics; an agent attached"
                    + " later, java -jar dynamo-agent.jar <pid>, connects these metrics and serves them from then on),"
                    + " or is switched off for this JVM (DYN_AGENT_ENABLED, DYN_AGENT_MAIN; with DYN_LOG=debug it says"
                    + " why)");
        }
    }

    private static void warnIncomplete(String why) {
        ApiLog.warn("the dynamo API loaded by " + ApiLog.loaderName(DistributedRuntime.class.getClassLoader())
                + " is incomplete, and"
                + " mixed with another copy (" + why + "); its metrics are not exported. Ship dynamo-api.jar whole:"
                + " a minimizing or filtering packaging step can drop classes that only the agent uses");
    }

    /**
     * The namespace {@code name}, created on first use; its label value is {@code name} sanitized.
     *
     * @throws IllegalArgumentException when {@code name} has no character valid in a label
     */
    public Namespace namespace(String name) {
        return HierarchyNode.child(namespaces, name, store, Collections.<String>emptyList(), Namespace.CONSTRUCTOR);
    }

    /** The registry for metrics without hierarchy labels. */
    public MetricsRegistry metrics() {
        return metrics;
    }

    /**
     * What this process tells {@code /health}: readiness of the whole runtime and health checks.
     *
     * <pre>{@code
     * DistributedRuntime.get().health().setReady(false);
     * }</pre>
     */
    public Health health() {
        return health;
    }

    /** Seconds since this runtime was created. */
    public double uptimeSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
