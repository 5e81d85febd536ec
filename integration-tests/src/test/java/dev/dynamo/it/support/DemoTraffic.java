package dev.dynamo.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Requests to the demo server from the test JVM, where starting a demo client JVM would only cost time. */
public final class DemoTraffic {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)/compute");

    private DemoTraffic() {
    }

    /** The port the demo server prints in its "listening on" line, waiting for it. */
    public static int awaitServerPort(ManagedProcess server) {
        String line = server.awaitStdoutLine("demo server: listening on", Timeouts.STARTUP);
        Matcher matcher = LISTENING.matcher(line);
        if (!matcher.find()) {
            throw new AssertionError("unexpected line: " + line);
        }
        return Integer.parseInt(matcher.group(1));
    }

    /** POSTs one compute request; returns the status. */
    public static int post(int port, int id, boolean fail) {
        String body = "{\"id\":" + id + ",\"values\":[1.5,2.5,3.5]}";
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/compute"
                    + (fail ? "?fail=true" : ""))).timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException failed) {
            throw new UncheckedIOException(failed);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
