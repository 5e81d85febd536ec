package dev.dynamo.it.apps;

import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.metrics.MetricsRegistry;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Run with stderr on a pipe that nobody reads: a thread of the application fills the pipe with
 * 100 KiB (and waits in the write for good, as a log appender behind a stalled collector does), then
 * {@code main} creates two gauges read at scrape time, {@code flaky}, whose callback throws at its
 * first three calls and returns 42 after, and {@code steady}, which always returns 7; it prints
 * {@code waiting} and returns at a line on stdin.
 */
public final class StalledStderrApp {
    private StalledStderrApp() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Thread filler = new Thread(() -> {
            char[] line = new char[1023];
            Arrays.fill(line, 'x');
            for (int i = 0; i < 100; i++) {
                System.err.println(line);
            }
        }, "stderr-filler");
        filler.setDaemon(true);
        filler.start();
        // Waiting in the write once the pipe is full: a thread that has not ended after this long does.
        filler.join(2000);
        System.out.println("filler " + (filler.isAlive() ? "waits in its write" : "ended"));

        MetricsRegistry metrics = DistributedRuntime.get().namespace("stalled").component("stderr").endpoint("gauges")
                .metrics();
        AtomicInteger calls = new AtomicInteger();
        metrics.createGaugeWithCallback("flaky", "Throws at its first three calls", null, () -> {
            if (calls.incrementAndGet() <= 3) {
                throw new IllegalStateException("not yet, call " + calls.get());
            }
            return 42;
        });
        metrics.createGaugeWithCallback("steady", "Always 7", null, () -> 7);
        System.out.println("waiting");
        System.out.flush();
        System.in.read();
    }
}
