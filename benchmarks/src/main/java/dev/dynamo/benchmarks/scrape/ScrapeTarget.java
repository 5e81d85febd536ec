package dev.dynamo.benchmarks.scrape;

import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.metrics.CounterVec;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.exporter.HTTPServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Collections;

/**
 * The JVM that a scrape benchmark scrapes: {@code dynamo N} creates N counter series through the API
 * (run it with the agent, which serves them), {@code simpleclient N} creates the same series in a
 * plain simpleclient registry served by simpleclient's {@code HTTPServer}. Prints {@code READY}, then
 * runs until its standard input closes.
 */
public final class ScrapeTarget {
    static final String NAMESPACE = "bench";
    static final String COMPONENT = "scrape";
    static final String ENDPOINT = "metrics";
    static final String METRIC = "scrape_series";
    static final String HELP = "One series per label value";

    private ScrapeTarget() {
    }

    public static void main(String[] args) throws IOException {
        String kind = args[0];
        int series = Integer.parseInt(args[1]);
        if (kind.equals("dynamo")) {
            CounterVec counters = DistributedRuntime.get().namespace(NAMESPACE).component(COMPONENT).endpoint(ENDPOINT)
                    .metrics().createCounterVec(METRIC, HELP, Collections.singletonList("id"),
                            Collections.<String, String>emptyMap());
            for (int i = 0; i < series; i++) {
                counters.withLabelValues(labelValue(i)).inc();
            }
            System.out.println("READY");
        } else if (kind.equals("simpleclient")) {
            CollectorRegistry registry = new CollectorRegistry(true);
            Counter counters = Counter.build("dynamo_component_" + METRIC, HELP)
                    .labelNames("dynamo_namespace", "dynamo_component", "dynamo_endpoint", "id").register(registry);
            for (int i = 0; i < series; i++) {
                counters.labels(NAMESPACE, COMPONENT, ENDPOINT, labelValue(i)).inc();
            }
            HTTPServer server = new HTTPServer(new InetSocketAddress("127.0.0.1", 0), registry, true);
            System.out.println("READY port=" + server.getPort());
        } else {
            throw new IllegalArgumentException("unknown kind " + kind + "; use one of " + Arrays.asList("dynamo", "simpleclient"));
        }
        System.out.flush();
        while (System.in.read() >= 0) {
            // Runs until the benchmark closes our standard input.
        }
    }

    static String labelValue(int i) {
        return String.format("series-%05d", i);
    }
}
