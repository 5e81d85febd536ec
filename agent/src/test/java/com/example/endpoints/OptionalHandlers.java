package com.example.endpoints;

import dev.dynamo.runtime.DynamoEndpoint;

/** Handlers whose classes load only where {@link OptionalBase} is on the class path. */
public final class OptionalHandlers {
    public static final String NS = "refused_test";

    private OptionalHandlers() {
    }

    /** Its class cannot be defined without {@link OptionalBase}. */
    public static class Refused extends OptionalBase {
        @DynamoEndpoint(namespace = NS, component = "optional", endpoint = "refused")
        public int handle(int value) {
            return value;
        }
    }

    /** Needs nothing but the JDK. */
    public static class Defined {
        @DynamoEndpoint(namespace = NS, component = "optional", endpoint = "defined")
        public int handle(int value) {
            return value;
        }
    }

    /** Defined by a class loader of its own that is gone before the endpoints are asked for. */
    public static class ShortLived {
        @DynamoEndpoint(namespace = NS, component = "optional", endpoint = "short_lived")
        public int handle(int value) {
            return value;
        }
    }
}
