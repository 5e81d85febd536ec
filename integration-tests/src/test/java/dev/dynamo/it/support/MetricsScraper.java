package dev.dynamo.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

/** Scrapes an agent's system server on a loopback port, polling until the page shows what a test waits for. */
public final class MetricsScraper {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final int port;

    public MetricsScraper(int port) {
        this.port = port;
    }

    /** A response: status and body. */
    public record Response(int status, String body) {
    }

    /** {@code GET path}. */
    public Response get(String path) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + path)).timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body());
        } catch (IOException failed) {
            throw new UncheckedIOException("GET http://127.0.0.1:" + port + path + " failed", failed);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }

    /** One scrape of {@code /metrics}, as text; fails unless the status is 200. */
    public String scrapeText() {
        Response response = get("/metrics");
        if (response.status() != 200) {
            throw new IllegalStateException("/metrics answered " + response.status() + ": " + response.body());
        }
        return response.body();
    }

    /** One scrape of {@code /metrics}, parsed. */
    public Exposition scrape() {
        return Exposition.parse(scrapeText());
    }

    /**
     * Scrapes until {@code condition} holds and returns that page; fails after {@code timeout} with
     * the {@code dynamo_} lines of the last page. Connection failures count as "not yet".
     */
    public Exposition awaitPage(Duration timeout, String description, Predicate<Exposition> condition) {
        Exposition[] last = new Exposition[1];
        return Polling.await(timeout, () -> description + "; last page:\n"
                + (last[0] == null ? "(none scraped)" : last[0].linesStartingWith("dynamo_")), () -> {
                    Exposition page = scrape();
                    last[0] = page;
                    return condition.test(page) ? page : null;
                });
    }

    /** Scrapes until the sample with exactly these labels has {@code expected} as value. */
    public Exposition awaitValue(Duration timeout, String name, Map<String, String> labels,
            double expected) {
        return awaitPage(timeout, name + labels + " = " + expected,
                page -> page.valueOr(name, labels, Double.NaN) == expected);
    }
}
