package com.example.endpoints;

import dev.dynamo.runtime.DynamoEndpoint;

import java.util.concurrent.CompletableFuture;

/** Returns a stage of the application's own type, woven by a class loader that serves no class files. */
public class UnreadableStageHandler {
    public static final String NS = "unreadable_stage_test";

    @DynamoEndpoint(namespace = NS, component = "unreadable", endpoint = "own_stage")
    public static OwnStage ownStage(OwnStage stage) {
        return stage;
    }

    @DynamoEndpoint(namespace = NS, component = "unreadable", endpoint = "own_reply")
    public static OwnReply ownReply() {
        return new OwnReply();
    }

    public static final class OwnStage extends CompletableFuture<String> {
    }

    public static final class OwnReply {
    }
}
