package dev.dynamo.benchmarks.startup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What the dynamo agent's own {@code /metrics} says a start cost it, asked by the generated start-up
 * applications at the end of their {@code main} when the agent serves on a known port (copied into
 * their {@code lib.jar}) and by the Spring Boot one, which compiles this source too. Prints the line
 * {@code StartupBenchmark} reads.
 */
public final class AgentCostProbe {
    private AgentCostProbe() {
    }

    /**
     * {@code AGENT_START_MS=.. AGENT_TRANSFORM_MS=.. AGENT_CLASSES_SEEN=.. AGENT_CLASSES_INSTRUMENTED=..}: the
     * agent's own start, the time in its transformer on the threads that loaded classes, and the classes
     * it was given and rewrote; {@code AGENT_COST_UNREAD=<why>} when the page cannot be read.
     */
    public static String read(int port) {
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
