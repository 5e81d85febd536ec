package dev.dynamo.benchmarks.startup;

import java.lang.management.ManagementFactory;

/** The application of {@code benchmarks/tls-cost.sh}'s start-up runs: prints how long after JVM start {@code main} began, and exits. */
public final class StartupProbe {
    private StartupProbe() {
    }

    public static void main(String[] args) {
        long mainMillis = System.currentTimeMillis(); // first, before loading the management classes
        long startMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
        System.out.println("START_TO_MAIN_MS=" + (mainMillis - startMillis));
    }
}
