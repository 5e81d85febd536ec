package dev.dynamo.it.apps;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.exporter.HTTPServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * An application that carries its own (older) simpleclient and serves its own metrics with it on
 * {@code args[0]}, next to the agent; then runs {@link MetricsGuideApp} with the remaining arguments.
 */
public final class OwnSimpleclientApp {

    private OwnSimpleclientApp() {
    }

    public static void main(String[] args) throws IOException {
        Counter ownRequests = Counter.build("app_own_requests_total", "Requests counted by the application itself")
                .register();
        ownRequests.inc(3);
        HTTPServer ownServer = new HTTPServer(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])),
                CollectorRegistry.defaultRegistry, true);
        System.out.println("own simpleclient: serving on port " + ownServer.getPort());

        MetricsGuideApp.main(Arrays.copyOfRange(args, 1, args.length));
        ownServer.stop();
    }
}
