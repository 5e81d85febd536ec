package com.example.endpoints;

import dev.dynamo.runtime.DynamoEndpoint;

/** Loaded before the agent is installed: measured only through retransformation. */
public class PreloadedHandler {
    @DynamoEndpoint(namespace = Handlers.NS, component = "preloaded", endpoint = "handle")
    public static int handle(int x) {
        return x - 1;
    }
}
