package dev.dynamo.it.styles;

import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import io.smallrye.mutiny.subscription.Cancellable;

import java.time.Duration;

import static dev.dynamo.it.styles.AppChecks.callFromTwoThreads;
import static dev.dynamo.it.styles.AppChecks.check;

/**
 * Calls every {@link SingleValueHandlers} method a known number of times, from two threads, and
 * subscribes as an application would; prints {@code done <calls>} and waits for stdin to close.
 *
 * <p>Arguments: calls per thread of {@code uni_delayed} and {@code single_delayed} (default 300).
 */
public final class SingleValueApp {
    private SingleValueApp() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        SingleValueHandlers handlers = new SingleValueHandlers();
        callFromTwoThreads(calls, i -> {
            check(handlers.uniDelayed(i).await().atMost(Duration.ofSeconds(10)).equals("reply " + i),
                    "uni_delayed answered wrong");
            check(handlers.singleDelayed(i).blockingGet() == i, "single_delayed answered wrong");
        });
        for (int i = 0; i < 3; i++) {
            try {
                handlers.uniFailing().await().atMost(Duration.ofSeconds(10));
                throw new AssertionError("uni_error did not fail");
            } catch (QuotaExceededException expected) {
                // counted as an error by the agent
            }
            try {
                handlers.completableFailing().blockingAwait();
                throw new AssertionError("completable_error did not fail");
            } catch (QuotaExceededException expected) {
                // counted as an error by the agent
            }
        }
        check(handlers.maybeEmpty().blockingGet() == null, "maybe_empty had an item");
        handlers.maybeEmpty().blockingGet();
        // Two subscriptions cancelled after 100 ms: cancellations, not errors.
        for (int i = 0; i < 2; i++) {
            Cancellable waiting = handlers.uniNever().subscribe().with(item -> { });
            Thread.sleep(100);
            waiting.cancel();
        }
        handlers.uniNeverSubscribed();
        // A tracing hook wraps every Single the application builds: still measured to its failure, while the
        // application's own Single keeps its class for its caller's cast.
        RxJavaPlugins.setOnSingleAssembly(SingleValueHandlers.TracingSingle::around);
        for (int i = 0; i < 3; i++) {
            try {
                handlers.tracedFailing().blockingGet();
                throw new AssertionError("traced_error did not fail");
            } catch (QuotaExceededException expected) {
                // counted as an error by the agent
            }
            check(((SingleValueHandlers.TaggedSingle) handlers.ownSingle()).tag().equals("tagged"), "own_single lost its class");
        }
        RxJavaPlugins.setOnSingleAssembly(null);
        System.out.println("done " + calls);
        System.out.flush();
        System.in.read();
    }
}
