package dev.dynamo.benchmarks.springapp;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Starts the web application on a free port, calls every annotated controller method once through
 * the beans, prints the same figures as the generated start-up applications and exits.
 *
 * <p>When the dynamo agent serves its metrics on a port given in {@code DYN_SYSTEM_PORT}, it also
 * prints what the agent says it cost the class loading of this start, from its own {@code /metrics}:
 * a figure that the whole-process times of an application this large cannot separate from the
 * application's own spread.
 */
@SpringBootApplication
public class SpringStartupApp {
    public static void main(String[] args) {
        long mainStart = System.currentTimeMillis();
        ConfigurableApplicationContext context = SpringApplication.run(SpringStartupApp.class, args);
        long sum = context.getBean(OrderController.class).order(3).length()
                + context.getBean(OrderController.class).cancel(4).length()
                + context.getBean(InventoryController.class).stock("apple")
                + context.getBean(InventoryController.class).restock("pear", 2)
                + context.getBean(PricingController.class).price("apple", 3)
                + context.getBean(PricingController.class).discount(10);
        long mainEnd = System.currentTimeMillis();
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        System.out.println("START_TO_MAIN_MS=" + (mainStart - jvmStart) + " MAIN_MS=" + (mainEnd - mainStart)
                + " CPU_MS=" + cpu / 1_000_000 + " SUM=" + sum);
        String agentPort = System.getenv("DYN_SYSTEM_PORT");
        if (agentPort != null && agentPort.matches("[1-9][0-9]*")) {
            System.out.println(agentCost(Integer.parseInt(agentPort)));
        }
        System.exit(SpringApplication.exit(context));
    }

    /**
     * {@code AGENT_START_MS=.. AGENT_TRANSFORM_MS=.. AGENT_CLASSES_SEEN=.. AGENT_CLASSES_INSTRUMENTED=..}: the
     * agent's own start, the time in its transformer on the threads that loaded classes, and the classes
     * it was given and rewrote.
     */
    private static String agentCost(int port) {
        double start = -1;
        double seconds = -1;
        long seen = -1;
        long instrumented = -1;
        try {
            HttpURLConnection connection = (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/metrics")
                    .openConnection();
            try (BufferedReader page = new BufferedReader(
                    new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = page.readLine()) != null) {
                    String value = line.substring(line.lastIndexOf(' ') + 1);
                    if (line.startsWith("dynamo_system_agent_start_seconds ")) {
                        start = Double.parseDouble(value);
                    } else if (line.startsWith("dynamo_system_instrumentation_seconds_total ")) {
                        seconds = Double.parseDouble(value);
                    } else if (line.startsWith("dynamo_system_instrumentation_classes_seen_total ")) {
                        seen = (long) Double.parseDouble(value);
                    } else if (line.startsWith("dynamo_system_instrumentation_classes_instrumented_total ")) {
                        instrumented = (long) Double.parseDouble(value);
                    }
                }
            }
        } catch (IOException | RuntimeException unread) {
            return "AGENT_COST_UNREAD=" + unread;
        }
        return "AGENT_START_MS=" + String.format(Locale.ROOT, "%.1f", start * 1000)
                + " AGENT_TRANSFORM_MS=" + String.format(Locale.ROOT, "%.1f", seconds * 1000) + " AGENT_CLASSES_SEEN=" + seen
                + " AGENT_CLASSES_INSTRUMENTED=" + instrumented;
    }
}
