package dev.dynamo.runtime.internal.instrumentation;

import dev.dynamo.runtime.internal.IsolatedApi;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issues 8 and 10: the proxies and reflective calls that only the handler shapes' exits make are
 * readied before the first endpoint of such a shape is called (a JDK class whose initialisation
 * fails at the top of an exhausted stack stays broken), and not at all for an application of plain
 * methods, whose first annotated class would otherwise pay for them. Each test runs in a fresh
 * copy of the API, whose static state has not been warmed by other tests.
 */
class HandlerShapeWarmUpTest {
    private static final String WOVEN_CALLS = WovenCalls.class.getName();

    @Test
    void plainEndpointsLeaveTheHandlerShapesMachineryAlone() throws Exception {
        try (IsolatedApi api = new IsolatedApi()) {
            activate(api, "plain", false);
            activate(api, "stage", false);

            assertTrue(flag(api, "warm"), "what every shape's exits use is readied");
            assertFalse(flag(api, "handlerShapesWarm"), "no proxy or reflective call made for plain endpoints");
        }
    }

    @Test
    void aHandlerShapeEndpointAfterPlainOnesIsReadiedBeforeItsFirstCall() throws Exception {
        try (IsolatedApi api = new IsolatedApi()) {
            activate(api, "plain", false);
            activate(api, "publisher", true);

            assertTrue(flag(api, "handlerShapesWarm"));
        }
    }

    @Test
    void aHandlerShapeSharingTheEndpointOfAPlainMethodIsReadiedToo() throws Exception {
        try (IsolatedApi api = new IsolatedApi()) {
            activate(api, "shared", false);
            activate(api, "shared", true);

            assertTrue(flag(api, "handlerShapesWarm"), "the second activation of one endpoint still readies its shape");
        }
    }

    @Test
    void anActivationThatDoesNotNameTheShapeReadiesEveryShape() throws Exception {
        try (IsolatedApi api = new IsolatedApi()) {
            int id = (Integer) api.callStatic(WOVEN_CALLS, "reserve", "ns", "comp", "unknown");
            api.callStatic(WOVEN_CALLS, "activate", id);

            assertTrue(flag(api, "handlerShapesWarm"), "activate(int), which older agents call, readies everything");
        }
    }

    private static void activate(IsolatedApi api, String endpoint, boolean handlerShape) {
        int id = (Integer) api.callStatic(WOVEN_CALLS, "reserve", "ns", "comp", endpoint);
        api.callStatic(WOVEN_CALLS, "activate", id, handlerShape);
    }

    private static boolean flag(IsolatedApi api, String name) throws ReflectiveOperationException {
        Field field = api.type(WOVEN_CALLS).getDeclaredField(name);
        field.setAccessible(true);
        return field.getBoolean(null);
    }
}
