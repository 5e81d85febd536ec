package dev.dynamo.it.apps;

import dev.dynamo.runtime.DynamoEndpoint;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * {@code DrainingApp <calls>}: an application that drains in its shutdown hook, as servers do on
 * SIGTERM. {@code main} calls one {@code @DynamoEndpoint} method once, prints {@code ready} and
 * waits. The shutdown hook calls the method {@code calls} times, prints {@code drained <calls>}, and
 * then waits for a line on stdin before it lets the JVM end.
 */
public final class DrainingApp {
    private DrainingApp() {
    }

    public static void main(String[] args) throws InterruptedException {
        final int calls = Integer.parseInt(args[0]);
        final BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (int i = 0; i < calls; i++) {
                handle(i);
            }
            System.out.println("drained " + calls);
            System.out.flush();
            try {
                stdin.readLine();
            } catch (IOException ended) {
                // Ends the hook all the same.
            }
        }, "draining-app-hook"));
        handle(0);
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    @DynamoEndpoint(namespace = "it", component = "draining", endpoint = "handle")
    static long handle(long x) {
        return x * 31 + 7;
    }
}
