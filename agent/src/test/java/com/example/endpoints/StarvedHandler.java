package com.example.endpoints;

import dev.dynamo.runtime.DynamoEndpoint;

/** Loaded anew, each time at the top of an exhausted stack, by {@code StackStarvedClassesTest}. */
public class StarvedHandler {
    public static final String NS = "stack_starved_test";

    @DynamoEndpoint(namespace = NS, component = "starved", endpoint = "handle")
    public static int handle(int value) {
        return value + 1;
    }

    /** Returns a type of its own, whose class file the weaving reads. */
    @DynamoEndpoint(namespace = NS, component = "starved", endpoint = "reply")
    public static Reply reply(int value) {
        return new Reply(value);
    }

    public static final class Reply {
        public final int value;

        public Reply(int value) {
            this.value = value;
        }
    }
}
