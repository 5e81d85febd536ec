package com.example.endpoints;

import dev.dynamo.runtime.DynamoEndpoint;

import java.util.function.Function;

/** javac adds a bridge {@code Object apply(Object)} that calls this method, and copies its annotations onto it. */
public class BridgedHandler implements Function<String, String> {
    @Override
    @DynamoEndpoint(namespace = "bridge_test", component = "bridged", endpoint = "apply")
    public String apply(String value) {
        return value + "!";
    }
}
