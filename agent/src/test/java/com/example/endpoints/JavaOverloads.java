package com.example.endpoints;

import dev.dynamo.runtime.DynamoEndpoint;

/** Hand-written overloads that forward to another annotated overload. */
public class JavaOverloads {
    /** The same endpoint as the overload it calls: one call of it is one request. */
    @DynamoEndpoint(namespace = "overloads_test", component = "java", endpoint = "scale")
    public int scale(int value) {
        return scale(value, 2);
    }

    @DynamoEndpoint(namespace = "overloads_test", component = "java", endpoint = "scale")
    public int scale(int value, int factor) {
        return value * factor;
    }

    /** Another endpoint than the overload it calls: a request of each. */
    @DynamoEndpoint(namespace = "overloads_test", component = "java", endpoint = "scale_by_ten")
    public int scaleByTen(int value) {
        return scaleByTen(value, 10);
    }

    @DynamoEndpoint(namespace = "overloads_test", component = "java", endpoint = "scale_by")
    public int scaleByTen(int value, int factor) {
        return value * factor;
    }
}
