package dev.dynamo.it.styles;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static dev.dynamo.it.styles.AppChecks.check;

/**
 * Calls every {@link TracedHandlers} method a known number of times, run with both the dynamo agent
 * and the OpenTelemetry agent; prints {@code done <calls>} and waits for stdin to close.
 *
 * <p>Arguments: calls of {@code plain} and {@code future} (default 100); a tenth as many
 * {@code abandoned} futures are cancelled by their caller.
 */
public final class TracedApp {
    private TracedApp() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        TracedHandlers handlers = new TracedHandlers();
        int failed = 0;
        for (int i = 1; i <= calls; i++) {
            handlers.plain(i);
            try {
                handlers.future(i).join();
            } catch (CompletionException expected) {
                failed++;
            }
        }
        check(failed == calls / 5, failed + " futures failed");
        for (int i = 0; i < calls / 10; i++) {
            CompletableFuture<Integer> given = handlers.abandoned();
            check(given.cancel(true), "abandoned future " + i + " was not cancelled");
        }
        System.out.println("done " + calls);
        System.out.flush();
        System.in.read();
    }
}
