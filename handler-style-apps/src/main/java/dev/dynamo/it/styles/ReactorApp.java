package dev.dynamo.it.styles;

import reactor.core.publisher.Flux;

import java.util.List;

import static dev.dynamo.it.styles.AppChecks.callFromTwoThreads;
import static dev.dynamo.it.styles.AppChecks.check;

/**
 * Calls every {@link ReactorHandlers} method a known number of times, from two threads, and
 * subscribes as an application would; prints {@code done <calls>} and waits for stdin to close.
 *
 * <p>Arguments: calls per thread of {@code mono_delayed} (default 300).
 */
public final class ReactorApp {
    private ReactorApp() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        ReactorHandlers handlers = new ReactorHandlers();
        callFromTwoThreads(calls, i -> handlers.delayed(i).block());
        for (int i = 0; i < 3; i++) {
            try {
                handlers.failing().block();
                throw new AssertionError("mono_error did not fail");
            } catch (QuotaExceededException expected) {
                // counted as an error by the agent
            }
        }
        handlers.empty().block();
        handlers.empty().block();
        List<Integer> items = handlers.items(10).collectList().block();
        check(items.size() == 10, "flux_items emitted " + items);
        List<Long> first = handlers.endless().take(5).collectList().block();
        check(first.size() == 5, "flux_endless emitted " + first);
        handlers.neverSubscribed();
        try {
            handlers.throwing();
            throw new AssertionError("throwing did not throw");
        } catch (IllegalStateException expected) {
            // counted as an error by the agent
        }
        List<Integer> plain = Flux.from(handlers.plainPublisher(3)).collectList().block();
        check(plain.size() == 3, "plain_publisher emitted " + plain);
        System.out.println("done " + calls);
        System.out.flush();
        System.in.read();
    }
}
