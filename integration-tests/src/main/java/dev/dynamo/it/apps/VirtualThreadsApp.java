package dev.dynamo.it.apps;

import dev.dynamo.runtime.DynamoEndpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code VirtualThreadsApp <tasks>}: runs {@code tasks} tasks on virtual threads (Java 21 and later),
 * each calling a measured method of every plain shape once — one that returns, one that throws, one
 * whose {@code CompletableFuture} another virtual thread completes, and one that parks while in flight
 * (a sleep under a {@code ReentrantLock}, in a {@code synchronized} block) — then prints
 * {@code done <tasks>} and waits for stdin to close. Compiled for Java 8, so the virtual threads are
 * reached by reflection.
 */
public final class VirtualThreadsApp {
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final Object MONITOR = new Object();
    private static ExecutorService virtualThreads;

    private VirtualThreadsApp() {
    }

    public static void main(String[] args) throws Exception {
        int tasks = Integer.parseInt(args[0]);
        virtualThreads = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        List<Future<?>> submitted = new ArrayList<Future<?>>(tasks);
        for (int i = 0; i < tasks; i++) {
            final int task = i;
            submitted.add(virtualThreads.submit(() -> {
                value(task);
                try {
                    failing(task);
                } catch (IllegalStateException expected) {
                    // Counted as an error of its type.
                }
                later(task).join();
                parking();
                return null;
            }));
        }
        for (Future<?> one : submitted) {
            one.get();
        }
        System.out.println("done " + tasks + " on " + Thread.class.getMethod("isVirtual").invoke(
                virtualThreads.submit(Thread::currentThread).get()));
        System.in.read();
    }

    @DynamoEndpoint(namespace = "it", component = "virtual", endpoint = "value")
    static long value(long x) {
        return x * 31 + 7;
    }

    @DynamoEndpoint(namespace = "it", component = "virtual", endpoint = "failing")
    static long failing(long x) {
        throw new IllegalStateException("task " + x);
    }

    @DynamoEndpoint(namespace = "it", component = "virtual", endpoint = "later")
    static CompletableFuture<Long> later(long x) {
        CompletableFuture<Long> result = new CompletableFuture<Long>();
        virtualThreads.submit(() -> result.complete(x));
        return result;
    }

    @DynamoEndpoint(namespace = "it", component = "virtual", endpoint = "parking")
    static void parking() throws InterruptedException {
        LOCK.lock();
        try {
            synchronized (MONITOR) {
                Thread.sleep(0, 1000);
            }
        } finally {
            LOCK.unlock();
        }
    }
}
