package dev.dynamo.benchmarks.percall;

import dev.dynamo.runtime.DynamoEndpoint;

/** Case (b): the same handler annotated; the dynamo agent inlines its recording advice. */
public final class DynamoHandler {
    static final String NAMESPACE = "bench";
    static final String COMPONENT = "handler";
    static final String ENDPOINT = "handle";

    @DynamoEndpoint(namespace = NAMESPACE, component = COMPONENT, endpoint = ENDPOINT)
    public long handle(long x) {
        return Work.compute(x);
    }
}
