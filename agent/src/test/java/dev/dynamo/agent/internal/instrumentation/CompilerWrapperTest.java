package dev.dynamo.agent.internal.instrumentation;

import com.example.endpoints.BridgedHandler;
import dev.dynamo.runtime.DynamoEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Methods a compiler generates around an annotated method never count the call a second time. */
class CompilerWrapperTest {
    private static EndpointTransformer transformer;

    @BeforeAll
    static void installAgent() {
        transformer = EndpointMetrics.install();
    }

    @AfterAll
    static void removeAgent() {
        EndpointMetrics.uninstall(transformer);
    }

    @Test
    void callThroughAJavacBridgeMethodCountsOnce() throws Exception {
        Method bridge = BridgedHandler.class.getMethod("apply", Object.class);
        assertTrue(bridge.isBridge() && bridge.isAnnotationPresent(DynamoEndpoint.class),
                "javac copied the annotation onto the bridge, so the bridge would be measured too");
        Function<String, String> handler = new BridgedHandler();

        assertEquals("a!", handler.apply("a"));

        assertEquals(1, new EndpointMetrics("bridge_test", "bridged", "apply").requests());
    }
}
