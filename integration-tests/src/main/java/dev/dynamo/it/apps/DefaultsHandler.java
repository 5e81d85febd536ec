package dev.dynamo.it.apps;

import dev.dynamo.runtime.DynamoEndpoint;

/** Annotated methods that leave attributes to their defaults. */
final class DefaultsHandler {

    /** All defaults: namespace DYN_NAMESPACE or "dynamo", component "DefaultsHandler", endpoint "defaults". */
    @DynamoEndpoint
    void defaults() {
    }

    /** Only the endpoint named, and a name that needs sanitizing: "partly-named.v2" becomes "partly_named_v2". */
    @DynamoEndpoint(endpoint = "partly-named.v2")
    static void partlyNamed() {
    }
}
