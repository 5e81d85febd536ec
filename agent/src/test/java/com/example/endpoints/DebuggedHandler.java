package com.example.endpoints;

import dev.dynamo.runtime.DynamoEndpoint;

/** Methods whose local variables a debugger reads at their exit, for {@code EndpointWeaverTest}. */
public class DebuggedHandler {
    private final int base = 1;

    @DynamoEndpoint(namespace = "debugged_test", component = "debugged", endpoint = "instance")
    public int instance(int x) {
        int doubled = x * 2;
        return base + doubled;
    }

    @DynamoEndpoint(namespace = "debugged_test", component = "debugged", endpoint = "static_method")
    public static String staticMethod(String text, int times) {
        if (times == 0) {
            return "";
        }
        return text.repeat(times);
    }
}
