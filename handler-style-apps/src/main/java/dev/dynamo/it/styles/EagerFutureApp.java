package dev.dynamo.it.styles;

import com.google.common.util.concurrent.ListenableFuture;
import kotlinx.coroutines.Deferred;
import kotlinx.coroutines.Job;
import kotlinx.coroutines.future.FutureKt;
import scala.concurrent.Await;
import scala.concurrent.duration.Duration;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.dynamo.it.styles.AppChecks.callFromTwoThreads;
import static dev.dynamo.it.styles.AppChecks.check;

/**
 * Calls every {@link EagerFutureHandlers} and {@link KotlinJobHandlers} method a known number of times,
 * from two threads, and waits for the futures as an application would; prints {@code done <calls>}
 * and waits for stdin to close.
 *
 * <p>Arguments: calls per thread of {@code guava}, {@code scala}, {@code deferred}, {@code spring} and
 * {@code netty} (default 300).
 */
public final class EagerFutureApp {
    private EagerFutureApp() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        EagerFutureHandlers handlers = new EagerFutureHandlers();
        KotlinJobHandlers jobs = new KotlinJobHandlers();
        Duration wait = Duration.create(10, TimeUnit.SECONDS);
        callFromTwoThreads(calls, i -> {
            try {
                check(handlers.guava(i).get(10, TimeUnit.SECONDS) == i, "guava answered wrong");
                check(Await.result(handlers.scala(i), wait) == i, "scala answered wrong");
                check(FutureKt.asCompletableFuture(jobs.deferred(i)).get(10, TimeUnit.SECONDS) == i,
                        "deferred answered wrong");
                check(handlers.spring(i).get(10, TimeUnit.SECONDS) == i, "spring answered wrong");
                check(handlers.netty(i).get(10, TimeUnit.SECONDS) == i, "netty answered wrong");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        for (int i = 0; i < 3; i++) {
            ListenableFuture<Integer> failing = handlers.guavaFailing();
            try {
                failing.get(10, TimeUnit.SECONDS);
                throw new AssertionError("guava_error did not fail");
            } catch (ExecutionException expected) {
                check(expected.getCause() instanceof QuotaExceededException, "guava_error failed otherwise");
            }
            try {
                Await.result(handlers.scalaFailing(), wait);
                throw new AssertionError("scala_error did not fail");
            } catch (QuotaExceededException expected) {
                // counted as an error by the agent
            }
            Deferred<Integer> deferredFailing = jobs.deferredFailing();
            try {
                FutureKt.asCompletableFuture(deferredFailing).get(10, TimeUnit.SECONDS);
                throw new AssertionError("deferred_error did not fail");
            } catch (ExecutionException expected) {
                check(expected.getCause() instanceof QuotaExceededException, "deferred_error failed otherwise");
            }
        }
        // Two of each given up by their caller after 100 ms: cancellations, not errors.
        for (int i = 0; i < 2; i++) {
            ListenableFuture<Integer> pending = handlers.guavaPending();
            Job job = jobs.longJob();
            Thread.sleep(100);
            check(pending.cancel(true), "guava_cancelled was not cancelled");
            job.cancel(null);
            // A cancelled job completes once its coroutine has left its suspension, on its dispatcher.
            while (!job.isCompleted()) {
                Thread.sleep(1);
            }
        }
        handlers.shutdown();
        System.out.println("done " + calls);
        System.out.flush();
        System.in.read();
    }
}
