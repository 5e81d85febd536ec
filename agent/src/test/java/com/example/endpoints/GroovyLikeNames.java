package com.example.endpoints;

import dev.dynamo.runtime.DynamoEndpoint;

/** A Java method named as Groovy names its {@code @Memoized} body copies: in Java, it is a method like any other. */
public class GroovyLikeNames {
    @DynamoEndpoint(namespace = "groovy_test", component = "java", endpoint = "named_like_a_copy")
    public int memoizedMethodPriv$price(int sku) {
        return sku * 100;
    }
}
