package com.example.endpoints;

import dev.dynamo.runtime.DynamoEndpoint;

/**
 * Overrides whose whole code calls the same method through {@code super}, as a proxy generated with the
 * annotation copied does (ByteBuddy's {@code SuperMethodCall}, under a name of its own).
 */
public final class SuperCallingOverrides {
    public static final String NS = "super_calls_test";

    private SuperCallingOverrides() {
    }

    public static class Service {
        @DynamoEndpoint(namespace = NS, component = "svc")
        public int work(int value) {
            return value + 1;
        }

        @DynamoEndpoint(namespace = NS)
        public String name(String given) {
            return given.trim();
        }
    }

    /** The same endpoint as the superclass's: each call would count twice in one series. */
    public static class SameEndpointProxy extends Service {
        @Override
        @DynamoEndpoint(namespace = NS, component = "svc")
        public int work(int value) {
            return super.work(value);
        }
    }

    /** Measured under its own class's name (the default component): another endpoint, which counts its calls. */
    public static class OwnComponentOverride extends Service {
        @Override
        @DynamoEndpoint(namespace = NS)
        public String name(String given) {
            return super.name(given);
        }
    }

    /** Does more than call super: measured. */
    public static class WorkingOverride extends Service {
        @Override
        @DynamoEndpoint(namespace = NS, component = "svc")
        public int work(int value) {
            return super.work(value) * 2;
        }
    }
}
