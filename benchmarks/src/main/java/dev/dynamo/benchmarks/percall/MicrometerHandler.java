package dev.dynamo.benchmarks.percall;

import io.micrometer.core.annotation.Timed;

/**
 * Case (d): the handler with Micrometer's {@code @Timed}; {@code io.micrometer.core.aop.TimedAspect}
 * is woven in at load time by the AspectJ weaver agent (see {@code META-INF/aop.xml}).
 */
public final class MicrometerHandler {
    static final String TIMER = "bench.handle";

    @Timed(TIMER)
    public long handle(long x) {
        return Work.compute(x);
    }
}
