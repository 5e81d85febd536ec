package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.internal.bridge.ReflectiveCall;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Connects this copy of the API, when it is a foreign one, to the primary copy in the bootstrap
 * class loader: the primary then exports this copy's metrics and health state with its own.
 * Found and called by name ({@link ReflectiveCall}): the copies share no types.
 */
final class PrimaryConnection {
    /** Whether this copy is a foreign one that has registered with the primary. Guarded by the class. */
    private static boolean connected;
    /** This copy's suppliers, kept reachable here because the primary holds them weakly. Guarded by the class. */
    private static final List<Object> EXPORTED = new ArrayList<Object>(2);

    private PrimaryConnection() {
    }

    /**
     * Connects this copy, once.
     *
     * @return whether this copy's metrics are exported
     */
    static synchronized boolean connect() {
        if (PrimaryConnection.class.getClassLoader() == null || connected) {
            return AgentAttachment.isAttached() || connected;
        }
        Class<?> primary;
        try {
            primary = ReflectiveCall.IS_AGENT_ATTACHED.declaringClassIn(null);
        } catch (ClassNotFoundException | LinkageError noAgentCopy) {
            return AgentAttachment.isAttached();
        }
        try {
            if (!Boolean.TRUE.equals(ReflectiveCall.IS_AGENT_ATTACHED.invoke(primary))) {
                return false;
            }
            Supplier<List<Object[]>> snapshots = () -> SnapshotEncoding.encode(MetricStore.global().snapshot());
            EXPORTED.add(snapshots);
            ReflectiveCall.REGISTER_FOREIGN_STORE.invoke(primary, snapshots);
            connected = true;
            connectNewerParts(primary);
            return true;
        } catch (Exception | LinkageError incompatible) {
            ApiLog.warn("cannot connect the dynamo API loaded by " + PrimaryConnection.class.getClassLoader()
                    + " to the agent's copy; its metrics are not exported: " + incompatible);
            return false;
        }
    }

    /**
     * Health state, series limit and log cross too, when the primary knows them: an older agent's copy
     * lacks these methods, and the metrics then cross alone.
     */
    private static void connectNewerParts(Class<?> primary) {
        try {
            Supplier<Object[]> health = () -> HealthState.global().encode();
            ReflectiveCall.REGISTER_FOREIGN_HEALTH.invoke(primary, health);
            EXPORTED.add(health);
            MaxSeriesSetting.setDefaultLimit((Integer) ReflectiveCall.DEFAULT_MAX_SERIES.invoke(primary));
        } catch (NoSuchMethodException olderAgent) {
            ApiLog.debug("the agent's copy of the dynamo API predates the health API and the series limit;"
                    + " this copy's health state and limit stay local");
        } catch (Exception | LinkageError failed) {
            ApiLog.warn("cannot connect the health state of the dynamo API loaded by "
                    + PrimaryConnection.class.getClassLoader() + " to the agent's copy: " + failed);
        }
        try {
            @SuppressWarnings("unchecked")
            BiConsumer<String, String> agentLog = (BiConsumer<String, String>) ReflectiveCall.LOG_SINK.invoke(primary);
            ApiLog.setSink(agentLog);
        } catch (Exception | LinkageError olderAgent) {
            ApiLog.debug("this copy's messages stay on stderr: the agent's copy of the dynamo API predates its log"
                    + " sink (" + olderAgent + ")");
        }
    }
}
