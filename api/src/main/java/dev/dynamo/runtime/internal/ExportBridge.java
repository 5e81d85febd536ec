package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.internal.bridge.ReflectiveCall;
import dev.dynamo.runtime.internal.instrumentation.WovenCalls;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The entry points of a copy of the API for the agent and for the other copies in the JVM. Each
 * public method is one of the {@link ReflectiveCall}s, called by name from another class loader,
 * and hands over to the class that does the work; see {@code dev.dynamo.runtime.internal.bridge}
 * for the contract. The name of this class and of its methods are frozen: released copies call them.
 */
public final class ExportBridge {
    private ExportBridge() {
    }

    /** {@link ReflectiveCall#CLAIM_AGENT}: metrics of this copy are exported from now on. */
    public static boolean claimAgent() {
        return AgentAttachment.claim();
    }

    /** {@link ReflectiveCall#IS_AGENT_ATTACHED}. */
    public static boolean isAgentAttached() {
        return AgentAttachment.isAttached();
    }

    /** {@link ReflectiveCall#REGISTER_FOREIGN_STORE}: a foreign copy's families are exported with this copy's. */
    public static void registerForeignStore(Supplier<List<Object[]>> snapshots) {
        ForeignCopies.addStore(snapshots);
    }

    /** {@link ReflectiveCall#REGISTER_FOREIGN_HEALTH}: a foreign copy's health state counts for {@code /health} too. */
    public static void registerForeignHealth(Supplier<Object[]> health) {
        ForeignCopies.addHealth(health);
    }

    /** {@link ReflectiveCall#HEALTH_ENCODED}: the health state of this copy, then of every foreign copy. */
    public static List<Object[]> healthEncoded() {
        return ForeignCopies.healthStates();
    }

    /** {@link ReflectiveCall#SET_DEFAULT_MAX_SERIES}: the agent's {@code DYN_METRICS_MAX_SERIES}. */
    public static void setDefaultMaxSeries(int limit) {
        LimitSetting.MAX_SERIES.set(limit);
    }

    /** {@link ReflectiveCall#SET_MAX_FAMILIES}: the agent's {@code DYN_METRICS_MAX_FAMILIES}. */
    public static void setMaxFamilies(int limit) {
        LimitSetting.MAX_FAMILIES.set(limit);
    }

    /**
     * {@link ReflectiveCall#SET_ENDPOINTS_GATING_HEALTH}: the endpoints whose health gates readiness, whose state
     * is kept past the endpoint names kept.
     */
    public static void setEndpointsGatingHealth(List<String> endpoints) {
        HealthState.global().keepBeyondTheLimit(endpoints);
    }

    /** {@link ReflectiveCall#DEFAULT_MAX_SERIES}: the series limit of families that set none. */
    public static int defaultMaxSeries() {
        return LimitSetting.MAX_SERIES.value();
    }

    /** {@link ReflectiveCall#MAX_FAMILIES}: how many metric names each copy of the API exports. */
    public static int maxFamilies() {
        return LimitSetting.MAX_FAMILIES.value();
    }

    /**
     * {@link ReflectiveCall#LOG_SINK}: messages (level, text) given to it go where this copy's go (the
     * agent's log, under {@code DYN_LOG}), so that a foreign copy reports as the agent does.
     */
    public static BiConsumer<String, String> logSink() {
        return ApiLog::log;
    }

    /**
     * {@link ReflectiveCall#CONNECT}: connects this copy's metrics to the agent, once; called when
     * the runtime is created, and by the agent for copies loaded before it attached.
     *
     * @return whether this copy's metrics are exported
     */
    public static boolean connect() {
        return PrimaryConnection.connect();
    }

    /** {@link ReflectiveCall#COLLECT_ENCODED}: {@link #collect()}, for callers that may see another copy of it. */
    public static List<Object[]> collectEncoded() {
        return SnapshotEncoding.encode(collect());
    }

    /**
     * Every family to export: this copy's, then those of foreign copies. For the agent when it
     * links to this very copy, which saves the encoding.
     */
    public static List<FamilySnapshot> collect() {
        // Endpoint calls that could not be recorded where they ended (no stack left) are applied first.
        WovenCalls.settle();
        return ForeignCopies.collect();
    }

    /** {@link ReflectiveCall#COLLECT_ENCODED_FAMILIES}: {@link #collect(Predicate)}, encoded. */
    public static List<Object[]> collectEncoded(Predicate<String> familyFilter) {
        return SnapshotEncoding.encode(collect(familyFilter));
    }

    /** {@link #collect()} of the families whose names {@code familyFilter} accepts. */
    public static List<FamilySnapshot> collect(Predicate<String> familyFilter) {
        WovenCalls.settle();
        return ForeignCopies.collect(familyFilter);
    }

    /**
     * {@link ReflectiveCall#MEASURE}: how large {@link #collect(Predicate)} will be, in
     * {@code SizeFormat}, found without collecting: the agent answers a scrape that the free heap
     * cannot hold before it takes any.
     */
    public static long[] measure(Predicate<String> familyFilter) {
        return ForeignCopies.measure(familyFilter);
    }
}
