package dev.dynamo.agent.internal.bootstrap;

import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.internal.ApiLog;
import dev.dynamo.runtime.internal.ExportBridge;
import dev.dynamo.runtime.internal.bridge.ReflectiveCall;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * The agent's handle on the primary copy of the API: the one on the bootstrap class path. It is
 * reached by reflection through the bootstrap loader, not by linking, because after a dynamic
 * attach the system class loader may already hold the application's own copy, and the agent's
 * classes would link to that one. Every call is a {@link ReflectiveCall}; only JDK types cross.
 *
 * <p>When the primary copy is the one the agent links to ({@link #isLinked}, every start with
 * {@code -javaagent}), the same methods are called directly: on JDK 18 and later a method's first
 * reflective call builds method handles for it, several milliseconds of each start for these calls.
 */
public final class PrimaryApi {
    private static final AgentLog LOG = AgentLog.get(PrimaryApi.class);

    private final Class<?> bridge;
    private final Method collectEncoded;
    /** Looked up at the first {@code /health}; an API copy without the health API has none. */
    private volatile Method healthEncoded;
    /** Calls that API copies older than this agent lack: looked up at the first scrape that needs them. */
    private final LaterCall collectEncodedFamilies = new LaterCall(ReflectiveCall.COLLECT_ENCODED_FAMILIES);
    private final LaterCall measure = new LaterCall(ReflectiveCall.MEASURE);
    private final LaterCall setEndpointsGatingHealth = new LaterCall(ReflectiveCall.SET_ENDPOINTS_GATING_HEALTH);

    private PrimaryApi(Class<?> bridge) throws NoSuchMethodException {
        this.bridge = bridge;
        this.collectEncoded = ReflectiveCall.COLLECT_ENCODED.in(bridge);
    }

    /** The bootstrap copy if there is one, else the copy this agent links to (tests, API on the class path). */
    public static PrimaryApi locate() throws NoSuchMethodException {
        Class<?> bridge;
        try {
            bridge = ReflectiveCall.COLLECT_ENCODED.declaringClassIn(null);
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
        return isLinked() ? ExportBridge.claimAgent() : (Boolean) ReflectiveCall.CLAIM_AGENT.invoke(bridge);
    }

    /** Creates the runtime now, so that its uptime counts from the agent's start. */
    public void startRuntime() throws ReflectiveOperationException {
        if (isLinked()) {
            DistributedRuntime.get();
            return;
        }
        ReflectiveCall.GET_RUNTIME.invoke(ReflectiveCall.GET_RUNTIME.declaringClassIn(bridge.getClassLoader()));
    }

    /** Routes the API's own warnings through {@code sink} (level, message). */
    public void routeLog(BiConsumer<String, String> sink) throws ReflectiveOperationException {
        if (isLinked()) {
            ApiLog.setSink(sink);
            return;
        }
        ReflectiveCall.SET_LOG_SINK.invoke(ReflectiveCall.SET_LOG_SINK.declaringClassIn(bridge.getClassLoader()), sink);
    }

    /** The families of every connected copy, in {@code SnapshotFormat}. */
    @SuppressWarnings("unchecked")
    public List<Object[]> collectEncoded() throws ReflectiveOperationException {
        return isLinked() ? ExportBridge.collectEncoded() : (List<Object[]>) collectEncoded.invoke(null);
    }

    /**
     * The families whose names {@code familyFilter} accepts, of every connected copy, in {@code SnapshotFormat};
     * every family when the primary copy cannot leave any out (a copy older than that call).
     */
    @SuppressWarnings("unchecked")
    public List<Object[]> collectEncoded(Predicate<String> familyFilter) throws ReflectiveOperationException {
        if (isLinked()) {
            return ExportBridge.collectEncoded(familyFilter);
        }
        Method method = collectEncodedFamilies.method();
        return method == null ? collectEncoded() : (List<Object[]>) method.invoke(null, familyFilter);
    }

    /**
     * How large a collection of the families {@code familyFilter} accepts will be, in {@code SizeFormat},
     * found without collecting; null when the primary copy cannot tell (a copy older than that call).
     */
    public long[] measure(Predicate<String> familyFilter) throws ReflectiveOperationException {
        if (isLinked()) {
            return ExportBridge.measure(familyFilter);
        }
        Method method = measure.method();
        return method == null ? null : (long[]) method.invoke(null, familyFilter);
    }

    /** A method of the primary copy that older copies lack, looked up once, at its first use. */
    private final class LaterCall {
        private final ReflectiveCall call;
        private volatile boolean looked;
        private volatile Method method;

        LaterCall(ReflectiveCall call) {
            this.call = call;
        }

        /** The primary's method; null, for good, when the copy is older than it. */
        Method method() {
            if (!looked) {
                try {
                    method = call.in(bridge);
                } catch (NoSuchMethodException older) {
                    method = null;
                }
                looked = true;
            }
            return method;
        }
    }

    /**
     * Hands the endpoints of {@code DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS} to the API, which keeps their health
     * past the endpoint names it keeps; a primary copy older than this agent keeps every name.
     */
    public void setEndpointsGatingHealth(List<String> endpoints) throws ReflectiveOperationException {
        if (isLinked()) {
            ExportBridge.setEndpointsGatingHealth(endpoints);
            return;
        }
        Method method = setEndpointsGatingHealth.method();
        if (method != null) {
            method.invoke(null, endpoints);
        }
    }

    /** Hands {@code DYN_METRICS_MAX_SERIES} to the API, for metrics that set no limit of their own. */
    public void setDefaultMaxSeries(int limit) throws ReflectiveOperationException {
        if (isLinked()) {
            ExportBridge.setDefaultMaxSeries(limit);
            return;
        }
        ReflectiveCall.SET_DEFAULT_MAX_SERIES.invoke(bridge, limit);
    }

    /**
     * Hands {@code DYN_METRICS_MAX_FAMILIES} to the API. An API older than the setting, the application's own
     * copy taken as the primary on an attach, has no such limit, and keeps none.
     */
    public void setMaxFamilies(int limit) throws ReflectiveOperationException {
        if (isLinked()) {
            ExportBridge.setMaxFamilies(limit);
            return;
        }
        try {
            ReflectiveCall.SET_MAX_FAMILIES.invoke(bridge, limit);
        } catch (NoSuchMethodException olderApi) {
            // Its metric names are not limited: nothing to hand over.
        }
    }

    /** What the application said through the health API, per connected copy of the API, in {@code HealthFormat}. */
    @SuppressWarnings("unchecked")
    public List<Object[]> healthEncoded() throws ReflectiveOperationException {
        if (isLinked()) {
            return ExportBridge.healthEncoded();
        }
        Method method = healthEncoded;
        if (method == null) {
            method = ReflectiveCall.HEALTH_ENCODED.in(bridge);
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
            if (loaded != bridge && loaded.getName().equals(ReflectiveCall.CONNECT.className())) {
                try {
                    ReflectiveCall.CONNECT.invoke(loaded);
                    LOG.info("connected the dynamo API loaded by " + ApiLog.loaderName(loaded.getClassLoader()));
                } catch (ReflectiveOperationException | RuntimeException | LinkageError failed) {
                    LOG.warn("cannot connect the dynamo API loaded by " + ApiLog.loaderName(loaded.getClassLoader())
                            + "; its metrics are not exported: " + failed);
                }
            }
        }
    }
}
