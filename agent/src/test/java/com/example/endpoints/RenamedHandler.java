package com.example.endpoints;

import dev.dynamo.runtime.DynamoEndpoint;

/** An endpoint whose name is not a label value as it stands: the series shows it sanitized. */
public class RenamedHandler {
    public static final String NS = "renamed_test";

    @DynamoEndpoint(namespace = NS, component = "svc", endpoint = "générer-vite")
    public int handle(int value) {
        return value;
    }
}
