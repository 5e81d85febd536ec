package dev.dynamo.demo;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoServerTest {

    @Test
    void servesTheClientAndStopsAfterMaxRequests() throws Exception {
        ByteArrayOutputStream serverOutput = new ByteArrayOutputStream();
        DemoServer server = new DemoServer(
                ServerOptions.parse(new String[] {"--host", "127.0.0.1", "--port", "0", "--max-requests", "12"}),
                new PrintStream(serverOutput, true, "UTF-8"));
        int port = server.start();
        ExecutorService waiter = Executors.newSingleThreadExecutor(new DaemonThreads("test-wait-"));
        Future<Integer> serverExit = waiter.submit(server::awaitStop);

        ByteArrayOutputStream clientOutput = new ByteArrayOutputStream();
        int clientExit = new DemoClient(ClientOptions.parse(new String[] {"--port", String.valueOf(port),
            "--requests", "12", "--fail", "4", "--concurrency", "3"}))
                .run(new PrintStream(clientOutput, true, "UTF-8"), System.err);

        String summary = new String(clientOutput.toByteArray(), StandardCharsets.UTF_8);
        assertEquals(0, clientExit, summary);
        assertTrue(summary.contains("succeeded:           8"), summary);
        assertTrue(summary.contains("failed as asked:     4"), summary);
        assertTrue(summary.contains("unexpected outcomes: 0"), summary);
        assertEquals(0, serverExit.get(30, TimeUnit.SECONDS));
        assertTrue(new String(serverOutput.toByteArray(), StandardCharsets.UTF_8)
                .contains("demo server: served 12 requests (4 failed), exiting"));
        waiter.shutdown();
    }

    @Test
    void clientReportsUnexpectedOutcomesWhenNoServerListens() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ByteArrayOutputStream errors = new ByteArrayOutputStream();

        int exit = new DemoClient(ClientOptions.parse(new String[] {"--port", String.valueOf(port), "--requests", "2"}))
                .run(new PrintStream(new ByteArrayOutputStream(), true, "UTF-8"),
                        new PrintStream(errors, true, "UTF-8"));

        assertEquals(1, exit);
        assertTrue(new String(errors.toByteArray(), StandardCharsets.UTF_8).contains("request 1 failed"));
    }

    @Test
    void detectsTheFailParameterAmongOthers() {
        assertTrue(DemoServer.isFailRequested("fail=true"));
        assertTrue(DemoServer.isFailRequested("trace=1&fail=true"));
        assertFalse(DemoServer.isFailRequested(null));
        assertFalse(DemoServer.isFailRequested("fail=false"));
        assertFalse(DemoServer.isFailRequested("nofail=true"));
    }
}
