package dev.dynamo.runtime;

import dev.dynamo.runtime.internal.HealthState;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static dev.dynamo.runtime.internal.Snapshots.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HealthTest {
    private final Health health = DistributedRuntime.get().health();

    @SuppressWarnings("unchecked")
    private static Map<String, Boolean> endpoints() {
        return (Map<String, Boolean>) HealthState.global().encode()[1];
    }

    @SuppressWarnings("unchecked")
    private static Object[] check(String name) {
        return ((Map<String, Object[]>) HealthState.global().encode()[2]).get(name);
    }

    @Test
    void setReadyIsWhatTheAgentReads() {
        try {
            health.setReady(false);
            assertEquals(Boolean.FALSE, HealthState.global().encode()[0]);
            health.setReady(true);
            assertEquals(Boolean.TRUE, HealthState.global().encode()[0]);
        } finally {
            health.setReady(true);
        }
    }

    @Test
    void endpointsAreKeyedByTheirLabelValue() {
        String name = unique("gen-erate");
        Endpoint endpoint = DistributedRuntime.get().namespace("ns").component("comp").endpoint(name);

        endpoint.markServed();
        assertEquals(Boolean.TRUE, endpoints().get(name.replace('-', '_')));
        endpoint.setHealthy(false);
        assertEquals(Boolean.FALSE, endpoints().get(name.replace('-', '_')));
        endpoint.setHealthy(true);
        assertEquals(Boolean.TRUE, endpoints().get(name.replace('-', '_')));
    }

    @Test
    void registersChecksWithTheDefaultOrTheirOwnTimeoutAndUnregistersThem() throws Exception {
        String quick = unique("quick");
        String slow = unique("slow");
        health.registerCheck(quick, () -> true);
        health.registerCheck(slow, 2, TimeUnit.SECONDS, () -> false);

        assertEquals(Health.DEFAULT_CHECK_TIMEOUT_MILLIS, check(quick)[1]);
        assertEquals(2000L, check(slow)[1]);
        assertEquals(Boolean.FALSE, ((Callable<?>) check(slow)[0]).call());
        assertTrue(health.unregisterCheck(slow));
        assertFalse(health.unregisterCheck(slow));
        assertFalse(health.unregisterCheck(null));
        assertNull(check(slow));
        health.unregisterCheck(quick);
    }

    @Test
    void aCheckOfTheSameNameReplacesTheFirst() throws Exception {
        String name = unique("replaced");
        health.registerCheck(name, () -> true);
        health.registerCheck(name, () -> false);

        assertEquals(Boolean.FALSE, ((Callable<?>) check(name)[0]).call());
        health.unregisterCheck(name);
    }

    @Test
    void rejectsChecksWithoutNameFunctionOrPositiveTimeout() {
        String noName = assertThrows(IllegalArgumentException.class, () -> health.registerCheck(" ", () -> true))
                .getMessage();
        assertTrue(noName.contains("name"), noName);
        String nullName = assertThrows(IllegalArgumentException.class, () -> health.registerCheck(null, () -> true))
                .getMessage();
        assertTrue(nullName.startsWith("Health check name is null;"), nullName);
        String noCheck = assertThrows(IllegalArgumentException.class, () -> health.registerCheck("db", null))
                .getMessage();
        assertTrue(noCheck.contains("'db'"), noCheck);
        String zero = assertThrows(IllegalArgumentException.class,
                () -> health.registerCheck("db", 0, TimeUnit.SECONDS, () -> true)).getMessage();
        assertTrue(zero.contains("positive"), zero);
        String noUnit = assertThrows(IllegalArgumentException.class,
                () -> health.registerCheck("db", 1, null, () -> true)).getMessage();
        assertTrue(noUnit.startsWith("Time unit of the timeout of health check 'db' is null;"), noUnit);
        assertNull(check("db"), "nothing registered by a rejected call");
    }
}
