package com.example.endpoints;

import dev.dynamo.runtime.DynamoEndpoint;

/**
 * Hand-written overloads that forward to another annotated overload: methods like any other, each
 * annotated one counts its calls (unlike the overloads a compiler writes around an annotated method).
 */
public class JavaOverloads {
    /** The same endpoint as the overload it calls: a call of it enters two measured methods. */
    @DynamoEndpoint(namespace = "overloads_test", component = "java", endpoint = "scale")
    public int scale(int value) {
        return scale(value, 2);
    }

    @DynamoEndpoint(namespace = "overloads_test", component = "java", endpoint = "scale")
    public int scale(int value, int factor) {
        return value * factor;
    }

    /** Another endpoint than the overload it calls. */
    @DynamoEndpoint(namespace = "overloads_test", component = "java", endpoint = "scale_by_ten")
    public int scaleByTen(int value) {
        return scaleByTen(value, 10);
    }

    @DynamoEndpoint(namespace = "overloads_test", component = "java", endpoint = "scale_by")
    public int scaleByTen(int value, int factor) {
        return value * factor;
    }
}
