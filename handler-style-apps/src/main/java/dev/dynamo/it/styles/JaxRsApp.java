package dev.dynamo.it.styles;

import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;

import static dev.dynamo.it.styles.AppChecks.callFromTwoThreads;
import static dev.dynamo.it.styles.AppChecks.check;

/**
 * Jersey 4 on Grizzly (loopback) serving {@link JaxRsHandlers}, and a client calling every method a
 * known number of times, from two threads; prints {@code done <calls>} and waits for stdin to close.
 *
 * <p>Arguments: calls of {@code later} per thread (default 200).
 */
public final class JaxRsApp {
    private JaxRsApp() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        HttpServer server = GrizzlyHttpServerFactory.createHttpServer(URI.create("http://127.0.0.1:0/"),
                new ResourceConfig(JaxRsHandlers.class));
        URI base = URI.create("http://127.0.0.1:" + server.getListeners().iterator().next().getPort() + "/");
        callFromTwoThreads(calls, i -> expect(base, "later", 200));
        for (int i = 0; i < 3; i++) {
            expect(base, "missing", 404);
        }
        for (int i = 0; i < 2; i++) {
            expect(base, "failing", 500);
            expect(base, "cancelled", 503);
            expect(base, "throwing", 500);
        }
        expect(base, "unanswered", 503);
        System.out.println("done " + calls);
        System.out.flush();
        System.in.read();
        server.shutdownNow();
    }

    /**
     * Asks {@code path} over {@code HttpURLConnection}: the JDK's {@code HttpClient} lost a response now and
     * then on Grizzly's kept-alive connections ("header parser received no bytes"), with or without the agent.
     */
    private static void expect(URI base, String path, int status) {
        try {
            HttpURLConnection connection = (HttpURLConnection) base.resolve(path).toURL().openConnection();
            connection.setConnectTimeout(10_000);
            connection.setReadTimeout(10_000);
            int answered = connection.getResponseCode();
            try (InputStream body = answered < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                if (body != null) {
                    body.readAllBytes();
                }
            }
            check(answered == status, path + " answered " + answered + ", not " + status);
        } catch (IOException failed) {
            throw new AssertionError(path + " failed", failed);
        }
    }
}
