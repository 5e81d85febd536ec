package dev.dynamo.it.styles;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.ListeningExecutorService;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.SettableFuture;
import dev.dynamo.runtime.DynamoEndpoint;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.concurrent.Future$;

import java.util.concurrent.Callable;
import java.util.concurrent.Executors;

/**
 * Handlers returning eager futures of Guava, Scala, Spring and Netty; Kotlin's jobs are in
 * {@code KotlinJobHandlers}.
 */
public class EagerFutureHandlers {
    private final ListeningExecutorService executor = MoreExecutors.listeningDecorator(Executors.newFixedThreadPool(4));
    private final ExecutionContext scalaContext = ExecutionContext.fromExecutorService(Executors.newFixedThreadPool(4));
    private final org.springframework.core.task.support.TaskExecutorAdapter springExecutor =
            new org.springframework.core.task.support.TaskExecutorAdapter(Executors.newFixedThreadPool(4));
    private final io.netty.util.concurrent.DefaultEventExecutorGroup nettyLoops =
            new io.netty.util.concurrent.DefaultEventExecutorGroup(2);

    @DynamoEndpoint(namespace = "it", component = "eager_future", endpoint = "guava")
    public ListenableFuture<Integer> guava(int i) {
        return executor.submit(() -> {
            Thread.sleep(5);
            return i;
        });
    }

    @DynamoEndpoint(namespace = "it", component = "eager_future", endpoint = "guava_error")
    public ListenableFuture<Integer> guavaFailing() {
        return executor.submit(() -> {
            Thread.sleep(1);
            throw new QuotaExceededException();
        });
    }

    /** Never completed by the application: its caller cancels it. */
    @DynamoEndpoint(namespace = "it", component = "eager_future", endpoint = "guava_cancelled")
    public ListenableFuture<Integer> guavaPending() {
        return SettableFuture.create();
    }

    @DynamoEndpoint(namespace = "it", component = "eager_future", endpoint = "scala")
    public Future<Integer> scala(int i) {
        return Future$.MODULE$.apply(() -> {
            sleep(5);
            return i;
        }, scalaContext);
    }

    @DynamoEndpoint(namespace = "it", component = "eager_future", endpoint = "scala_error")
    public Future<Integer> scalaFailing() {
        return Future$.MODULE$.apply(() -> {
            sleep(1);
            throw new QuotaExceededException();
        }, scalaContext);
    }

    /** Spring 5's {@code AsyncListenableTaskExecutor}, as an {@code @Async} method of Spring 5 returns. */
    @DynamoEndpoint(namespace = "it", component = "eager_future", endpoint = "spring")
    public org.springframework.util.concurrent.ListenableFuture<Integer> spring(int i) {
        return springExecutor.submitListenable(delayed(i));
    }

    /** Netty's event loop runs the work and the listeners. */
    @DynamoEndpoint(namespace = "it", component = "eager_future", endpoint = "netty")
    public io.netty.util.concurrent.Future<Integer> netty(int i) {
        return nettyLoops.submit(delayed(i));
    }

    private static Callable<Integer> delayed(int i) {
        return () -> {
            Thread.sleep(5);
            return i;
        };
    }

    void shutdown() {
        executor.shutdownNow();
        ((java.util.concurrent.ExecutorService) scalaContext).shutdownNow();
        nettyLoops.shutdownGracefully();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
