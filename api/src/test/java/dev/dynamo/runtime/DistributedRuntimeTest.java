package dev.dynamo.runtime;

import dev.dynamo.runtime.internal.ApiLog;
import dev.dynamo.runtime.internal.ExportBridge;
import dev.dynamo.runtime.internal.FamilySnapshot;
import dev.dynamo.runtime.internal.IsolatedApi;
import dev.dynamo.runtime.internal.MetricType;
import dev.dynamo.runtime.internal.Sample;
import dev.dynamo.runtime.internal.Snapshots;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiConsumer;

import static dev.dynamo.runtime.internal.Snapshots.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistributedRuntimeTest {
    private static final String UPTIME = "dynamo_component_uptime_seconds";

    @Test
    void isOnePerProcess() {
        assertSame(DistributedRuntime.get(), DistributedRuntime.get());
    }

    /**
     * A re-tester made an endpoint per loop iteration: each was kept for good, about 1 KB apiece until the heap ran
     * out. Past the places kept, a place is made again at each lookup, and one made again is the same place.
     */
    @Test
    void placesPastTheOnesKeptAreMadeAgainAtEachLookupAndKeepNothing() {
        String name = unique("ns");
        DistributedRuntime runtime = DistributedRuntime.get();
        Component component = runtime.namespace(name).component("c");
        try {
            HierarchyNode.keepOnly(1);
            Endpoint kept = component.endpoint("kept");
            Endpoint notKept = component.endpoint("user_1");

            assertSame(kept, component.endpoint("kept"));
            assertNotSame(notKept, component.endpoint("user_1"));
            component.endpoint("user_1").metrics().createCounter("per_user", "h", null).inc();
            component.endpoint("user_1").metrics().createCounter("per_user", "h", null).inc();
            assertTrue(runtime.metrics().prometheusExpfmt().contains("dynamo_component_per_user_total{dynamo_namespace=\""
                    + name + "\",dynamo_component=\"c\",dynamo_endpoint=\"user_1\",} 2.0"),
                    "one series for the place, whichever object made it");
        } finally {
            HierarchyNode.keepOnly(-1);
        }
    }

    @Test
    void returnsTheSameNodeForTheSameNameAtEveryLevel() {
        String name = unique("ns");
        DistributedRuntime runtime = DistributedRuntime.get();

        assertSame(runtime.namespace(name), runtime.namespace(name));
        assertSame(runtime.namespace(name).namespace("child"), runtime.namespace(name).namespace("child"));
        assertSame(runtime.namespace(name).component("c"), runtime.namespace(name).component("c"));
        assertSame(runtime.namespace(name).component("c").endpoint("e"),
                runtime.namespace(name).component("c").endpoint("e"));
        assertNotSame(runtime.namespace(name).component("c"), runtime.namespace(name).component("d"));
    }

    @Test
    void keepsTheGivenNameAndUsesItsSanitizedFormAsLabelValue() {
        String name = unique("my-namespace");
        Component component = DistributedRuntime.get().namespace(name).component("test-component");
        Endpoint endpoint = component.endpoint("generate.v2");

        assertEquals("test-component", component.name());
        assertEquals("test_component", component.labelValue());
        assertEquals("generate.v2", endpoint.name());
        assertEquals("generate_v2", endpoint.labelValue());
        assertEquals(name.replace('-', '_'), DistributedRuntime.get().namespace(name).labelValue());
    }

    @Test
    void rejectsAHierarchyNameWithoutAValidCharacter() {
        DistributedRuntime runtime = DistributedRuntime.get();
        Namespace namespace = runtime.namespace(unique("ns"));

        IllegalArgumentException badNamespace = assertThrows(IllegalArgumentException.class,
                () -> runtime.namespace("@@@"));
        IllegalArgumentException badComponent = assertThrows(IllegalArgumentException.class,
                () -> namespace.component(""));
        IllegalArgumentException badEndpoint = assertThrows(IllegalArgumentException.class,
                () -> namespace.component("c").endpoint(null));
        assertThrows(IllegalArgumentException.class, () -> namespace.namespace("____"));

        assertTrue(badNamespace.getMessage().startsWith("Invalid namespace name '@@@': Input '@@@' contains only"
                + " invalid characters"), badNamespace.getMessage());
        assertTrue(badComponent.getMessage().startsWith("Invalid component name ''"), badComponent.getMessage());
        assertTrue(badEndpoint.getMessage().startsWith("Invalid endpoint name null: The name is null"),
                badEndpoint.getMessage());
    }

    /**
     * Nested namespaces label only the first three levels, so two endpoints below them share their
     * series: each endpoint's own page shows what was created through it.
     */
    @Test
    void endpointsBelowTheThirdLevelShareASeriesAndEachPageShowsIt() {
        Component component = DistributedRuntime.get().namespace(unique("a")).namespace("b").component("c");
        Endpoint d = component.endpoint("d");
        Endpoint e = component.endpoint("e");

        d.metrics().createCounter("deep", "h", Collections.<String, String>emptyMap()).inc();
        e.metrics().createCounter("deep", "h", Collections.<String, String>emptyMap()).inc(10);

        String shown = "dynamo_component_deep_total{dynamo_namespace=\"";
        assertTrue(d.metrics().prometheusExpfmt().contains(shown), d.metrics().prometheusExpfmt());
        assertTrue(e.metrics().prometheusExpfmt().contains(shown), e.metrics().prometheusExpfmt());
        assertTrue(e.metrics().prometheusExpfmt().contains("} 11.0"), e.metrics().prometheusExpfmt());
    }

    @Test
    void exposesItsUptimeAsAnUnlabelledGauge() {
        DistributedRuntime.get();

        FamilySnapshot uptime = Snapshots.family(UPTIME);

        assertEquals(MetricType.Exposition.GAUGE, uptime.type());
        assertEquals("Total uptime of the DistributedRuntime in seconds", uptime.help());
        assertEquals(1, uptime.samples().size());
        assertEquals(UPTIME, uptime.samples().get(0).name());
        assertTrue(uptime.samples().get(0).labelNames().isEmpty());
        assertTrue(uptime.samples().get(0).value() > 0);
    }

    @Test
    void computesItsUptimeAtEveryScrape() {
        DistributedRuntime runtime = DistributedRuntime.get();
        double first = uptimeSample().value();
        while (runtime.uptimeSeconds() <= first) {
            Thread.onSpinWait();
        }

        assertTrue(uptimeSample().value() > first);
    }

    private static Sample uptimeSample() {
        return Snapshots.sample(Snapshots.family(UPTIME), UPTIME, Collections.<String, String>emptyMap());
    }

    @Test
    void warnsOnceThatTheAgentIsNotAttached() {
        try (IsolatedApi api = new IsolatedApi()) {
            List<String> log = new ArrayList<String>();
            BiConsumer<String, String> sink = (level, message) -> log.add(level + " " + message);
            api.callStatic(ApiLog.class.getName(), "setSink", sink);

            Object first = api.callStatic(DistributedRuntime.class.getName(), "get");
            Object second = api.callStatic(DistributedRuntime.class.getName(), "get");

            assertSame(first, second);
            assertEquals(1, log.size(), log.toString());
            assertTrue(log.get(0).startsWith("WARN metrics are recorded in this process but not exported: the dynamo"
                    + " agent is not attached"), log.get(0));
            assertTrue(log.get(0).contains("-javaagent:dynamo-agent.jar"), log.get(0));
            assertTrue(log.get(0).contains("an agent attached later, java -jar dynamo-agent.jar <pid>, connects these"
                    + " metrics"), "not contradicted by the agent's line after a dynamic attach: " + log.get(0));
            assertTrue(log.get(0).contains("or is switched off for this JVM (DYN_AGENT_ENABLED, DYN_AGENT_MAIN; with"
                    + " DYN_LOG=debug it says why)"),
                    "an attached agent that a setting keeps off is not taken for a missing one: " + log.get(0));
        }
    }

    @Test
    void doesNotWarnWhenTheAgentHasClaimedTheApi() {
        try (IsolatedApi api = new IsolatedApi()) {
            List<String> log = new ArrayList<String>();
            BiConsumer<String, String> sink = (level, message) -> log.add(level + " " + message);
            api.callStatic(ApiLog.class.getName(), "setSink", sink);
            api.callStatic(ExportBridge.class.getName(), "claimAgent");

            api.callStatic(DistributedRuntime.class.getName(), "get");

            assertEquals(Collections.emptyList(), log);
        }
    }
}
