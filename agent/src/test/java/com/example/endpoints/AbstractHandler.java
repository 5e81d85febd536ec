package com.example.endpoints;

import dev.dynamo.runtime.DynamoEndpoint;

/** An annotation on an abstract method cannot be measured: the agent warns and leaves it. */
public interface AbstractHandler {
    @DynamoEndpoint(namespace = Handlers.NS, component = "abstract", endpoint = "abstract_method")
    int handle(int x);

    /** A default method has a body and is measured. */
    @DynamoEndpoint(namespace = Handlers.NS, component = "abstract", endpoint = "default_method")
    default int handleTwice(int x) {
        return handle(handle(x));
    }
}
