package dev.dynamo.it.apps;

import dev.dynamo.runtime.DynamoEndpoint;

/** Loaded by many class loaders of its own in {@code HostSafetyApp}. */
public final class LoadedHandler {
    private LoadedHandler() {
    }

    @DynamoEndpoint(namespace = HostSafetyApp.NS, component = "loaders", endpoint = "handle")
    public static int handle(int value) {
        return value + 1;
    }
}
