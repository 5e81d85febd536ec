package dev.dynamo.benchmarks.scrape;

import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.metrics.CounterVec;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.exporter.HTTPServer;
import io.prometheus.client.hotspot.DefaultExports;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Collections;
import java.util.concurrent.CountDownLatch;

/**
 * The JVM that a scrape benchmark scrapes: {@code <kind> <series> [<application threads> <jvm metrics>]}.
 * {@code dynamo} creates the counter series through the API (run it with the agent, which serves
 * them); {@code simpleclient} creates the same series in a plain simpleclient 0.16 registry served by
 * its {@code HTTPServer} (with {@code DefaultExports} when JVM metrics are asked for);
 * {@code clientjava1} does the same with client_java 1.x and its {@code HTTPServer} (with
 * {@code JvmMetrics}). The application threads wait on a latch, as idle pool threads do. Prints
 * {@code READY} (with {@code port=} for the last two), then runs until its standard input closes.
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
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        boolean jvmMetrics = args.length > 3 && Boolean.parseBoolean(args[3]);
        startApplicationThreads(threads);
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
            if (jvmMetrics) {
                DefaultExports.register(registry);
            }
            HTTPServer server = new HTTPServer(new InetSocketAddress("127.0.0.1", 0), registry, true);
            System.out.println("READY port=" + server.getPort());
        } else if (kind.equals("clientjava1")) {
            PrometheusRegistry registry = new PrometheusRegistry();
            io.prometheus.metrics.core.metrics.Counter counters = io.prometheus.metrics.core.metrics.Counter.builder()
                    .name("dynamo_component_" + METRIC).help(HELP)
                    .labelNames("dynamo_namespace", "dynamo_component", "dynamo_endpoint", "id").register(registry);
            for (int i = 0; i < series; i++) {
                counters.labelValues(NAMESPACE, COMPONENT, ENDPOINT, labelValue(i)).inc();
            }
            if (jvmMetrics) {
                JvmMetrics.builder().register(registry);
            }
            io.prometheus.metrics.exporter.httpserver.HTTPServer server = io.prometheus.metrics.exporter.httpserver
                    .HTTPServer.builder().hostname("127.0.0.1").port(0).registry(registry).buildAndStart();
            System.out.println("READY port=" + server.getPort());
        } else {
            throw new IllegalArgumentException("unknown kind " + kind + "; use one of "
                    + Arrays.asList("dynamo", "simpleclient", "clientjava1"));
        }
        System.out.flush();
        while (System.in.read() >= 0) {
            // Runs until the benchmark closes our standard input.
        }
    }

    private static void startApplicationThreads(int count) {
        CountDownLatch never = new CountDownLatch(1);
        for (int i = 0; i < count; i++) {
            Thread thread = new Thread(() -> {
                try {
                    never.await();
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            }, "application-" + i);
            thread.setDaemon(true);
            thread.start();
        }
    }

    static String labelValue(int i) {
        return String.format("series-%05d", i);
    }
}
