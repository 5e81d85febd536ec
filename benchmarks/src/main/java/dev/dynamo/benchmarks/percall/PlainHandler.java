package dev.dynamo.benchmarks.percall;

/** Case (a): the handler with no instrumentation at all. */
public final class PlainHandler {
    public long handle(long x) {
        return Work.compute(x);
    }
}
