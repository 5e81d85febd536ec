package com.example.endpoints

import dev.dynamo.runtime.DynamoEndpoint
import groovy.transform.CompileStatic

/**
 * For each default argument Groovy writes an overload, with a copy of the method's annotations,
 * that computes the default and calls the full method.
 */
class GroovyDefaults {
    @DynamoEndpoint(namespace = "groovy_test", component = "dynamic", endpoint = "constant_default")
    int withDefault(int a, int b = 5) { a + b }

    /** Defaults that are computed: the overloads call other methods before the full one. */
    @DynamoEndpoint(namespace = "groovy_test", component = "dynamic", endpoint = "computed_default")
    String stamped(String what, List tags = [what.size()], Date at = new Date(0)) { "$what $tags ${at.time}" }

    @DynamoEndpoint(namespace = "groovy_test", component = "dynamic", endpoint = "throwing_default")
    int throwing(int a, int b = 1) { throw new IOException("boom " + (a + b)) }
}

@CompileStatic
class GroovyStaticDefaults {
    @DynamoEndpoint(namespace = "groovy_test", component = "static", endpoint = "two_defaults")
    int twoDefaults(int a, int b = 1, int c = 2) { a + b + c }
}

/** Groovy copies a trait's methods, annotation included, into each class that implements it. */
trait GroovyGreeting {
    @DynamoEndpoint(namespace = "groovy_test", component = "trait", endpoint = "greet")
    String greet(String name) { "hello " + name }
}

class GroovyGreeter implements GroovyGreeting {
}

/**
 * {@code @Memoized} moves the method's body into a private {@code memoizedMethodPriv$...} method, with a copy
 * of the annotations, which the method runs through its cache on a miss.
 */
class GroovyMemoized {
    int loads = 0

    @groovy.transform.Memoized
    @DynamoEndpoint(namespace = "groovy_test", component = "memoized", endpoint = "price")
    int price(String sku) {
        loads++
        if (sku == "bad") {
            throw new IllegalArgumentException("unknown sku")
        }
        sku.length() * 100
    }
}
