package dev.dynamo.agent.internal.export;

import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.runtime.internal.ExportBridge;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The agent's handle on the primary copy of the API: the one on the bootstrap class path. It is
 * reached by reflection through the bootstrap loader, not by linking, because after a dynamic
 * attach the system class loader may already hold the application's own copy, and the agent's
 * classes would link to that one. Only JDK types cross.
 */
public final class PrimaryApi {
    private static final AgentLog LOG = AgentLog.get(PrimaryApi.class);

    private final Class<?> bridge;
    private final Method collectEncoded;
    /** Looked up at the first {@code /health}; an API copy without the health API has none. */
    private volatile Method healthEncoded;

    private PrimaryApi(Class<?> bridge) throws NoSuchMethodException {
        this.bridge = bridge;
        this.collectEncoded = bridge.getMethod("collectEncoded");
    }

    /** The bootstrap copy if there is one, else the copy this agent links to (tests, API on the class path). */
    public static PrimaryApi locate() throws NoSuchMethodException {
        Class<?> bridge;
        try {
            bridge = Class.forName(ExportBridge.class.getName(), true, null);
        } catch (ClassNotFoundException notOnBootstrapPath) {
            bridge = ExportBridge.class;
        }
        return new PrimaryApi(bridge);
    }

    /**
     * Whether the primary copy is the one this agent's classes link to (always, unless a dynamic
     * attach found the API already loaded by the system class loader), so that its snapshots can be
     * read as they are instead of encoded.
     */
    public boolean isLinked() {
        return bridge == ExportBridge.class;
    }

    /** Marks the agent attached; returns false when an agent had claimed it already (a second attach). */
    public boolean claimAgent() throws ReflectiveOperationException {
        return (Boolean) bridge.getMethod("claimAgent").invoke(null);
    }

    /** Creates the runtime now, so that its uptime counts from the agent's start. */
    public void startRuntime() throws ReflectiveOperationException {
        Class.forName("dev.dynamo.runtime.DistributedRuntime", true, bridge.getClassLoader()).getMethod("get")
                .invoke(null);
    }

    /** Routes the API's own warnings through {@code sink} (level, message). */
    public void routeLog(BiConsumer<String, String> sink) throws ReflectiveOperationException {
        Class<?> apiLog = Class.forName("dev.dynamo.runtime.internal.ApiLog", true, bridge.getClassLoader());
        apiLog.getMethod("setSink", BiConsumer.class).invoke(null, sink);
    }

    /** The families of every connected copy, encoded as in {@code ExportBridge.encode}. */
    @SuppressWarnings("unchecked")
    public List<Object[]> collectEncoded() throws ReflectiveOperationException {
        return (List<Object[]>) collectEncoded.invoke(null);
    }

    /** Hands {@code DYN_METRICS_MAX_SERIES} to the API, for metrics that set no limit of their own. */
    public void setDefaultMaxSeries(int limit) throws ReflectiveOperationException {
        bridge.getMethod("setDefaultMaxSeries", int.class).invoke(null, limit);
    }

    /**
     * What the application said through the health API, per connected copy of the API: each
     * {runtime ready (Boolean or null), endpoints (Map&lt;String, Boolean&gt;), checks (Map&lt;String,
     * Object[]{Callable&lt;Boolean&gt;, Long timeout millis}&gt;)}.
     */
    @SuppressWarnings("unchecked")
    public List<Object[]> healthEncoded() throws ReflectiveOperationException {
        Method method = healthEncoded;
        if (method == null) {
            method = bridge.getMethod("healthEncoded");
            healthEncoded = method;
        }
        return (List<Object[]>) method.invoke(null);
    }

    /**
     * Connects the copies of the API that class loaders other than the bootstrap one loaded before
     * the agent attached (dynamic attach), so their metrics are exported too.
     */
    public void connectLoadedCopies(Instrumentation instrumentation) {
        for (Class<?> loaded : instrumentation.getAllLoadedClasses()) {
            if (loaded != bridge && loaded.getName().equals(ExportBridge.class.getName())) {
                try {
                    loaded.getMethod("connect").invoke(null);
                    LOG.info("connected the dynamo API loaded by " + loaded.getClassLoader());
                } catch (ReflectiveOperationException | RuntimeException | LinkageError failed) {
                    LOG.warn("cannot connect the dynamo API loaded by " + loaded.getClassLoader()
                            + "; its metrics are not exported: " + failed);
                }
            }
        }
    }
}
