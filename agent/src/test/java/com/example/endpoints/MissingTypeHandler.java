package com.example.endpoints;

import dev.dynamo.runtime.DynamoEndpoint;

/** Woven by a class loader that cannot see {@link Handlers}, a type one of its signatures names. */
public class MissingTypeHandler {
    public static final String NS = "missing_type_test";

    @DynamoEndpoint(namespace = NS, component = "missing", endpoint = "names_absent_type")
    public static Handlers namesAbsentType(Handlers handlers) {
        return handlers;
    }

    @DynamoEndpoint(namespace = NS, component = "missing", endpoint = "plain")
    public static int plain(int value) {
        return value + 1;
    }
}
