package com.example.endpoints;

import dev.dynamo.runtime.DynamoEndpoint;

/** One endpoint whose metric names the application has already taken with other types. */
public class ConflictingHandler {
    public static final String NS = "conflict_test";

    @DynamoEndpoint(namespace = NS, component = "conflict", endpoint = "taken")
    public static int taken(int value) {
        return value + 1;
    }

    @DynamoEndpoint(namespace = NS, component = "conflict", endpoint = "free")
    public static int free(int value) {
        return value + 2;
    }
}
