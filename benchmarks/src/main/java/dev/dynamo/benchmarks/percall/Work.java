package dev.dynamo.benchmarks.percall;

/** The body every handler shares: a few arithmetic operations, so that the measurement is the instrumentation. */
final class Work {
    private Work() {
    }

    static long compute(long x) {
        long h = x * 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
        return h + 17;
    }
}
