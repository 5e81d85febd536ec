package dev.dynamo.it.apps;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Calls {@code @DynamoEndpoint} methods on command, one command per stdin line, and answers each
 * with one stdout line starting with the command's name; the tests scrape in between.
 *
 * <ul>
 *   <li>{@code load <threads> <calls>} — each thread calls {@link Handlers#work} {@code calls} times</li>
 *   <li>{@code block} — one thread enters {@link Handlers#block} and stays there; {@code release} lets it out</li>
 *   <li>{@code async <millis>} — {@link Handlers#slow}, a future completed after {@code millis}</li>
 *   <li>{@code async-fail} — {@link Handlers#failing}, a future that fails with {@code QuotaExceededException}</li>
 *   <li>{@code pending} — {@link Handlers#pending}, a future that never completes; {@code cancel} cancels it</li>
 *   <li>{@code throw} — {@link Handlers#throwing}, which throws</li>
 *   <li>{@code load-defaults} — loads {@link DefaultsHandler} without calling it; {@code defaults} calls it</li>
 *   <li>{@code names} — the parameter names of {@link Handlers#work} as reflection gives them, and whether
 *   the class file has them ({@code present}) or reflection made them up ({@code absent})</li>
 *   <li>{@code exit} (or the end of stdin) — returns from main</li>
 * </ul>
 */
public final class EndpointsApp {
    private Thread blockedCaller;
    private CountDownLatch blockRelease;
    private CompletableFuture<String> pending;

    public static void main(String[] args) throws Exception {
        new EndpointsApp().run();
    }

    private void run() throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        reply("ready");
        for (String line; (line = in.readLine()) != null; ) {
            String[] words = line.trim().split("\\s+");
            if (words[0].equals("exit")) {
                break;
            }
            reply(words[0] + " " + execute(words));
        }
        reply("exit");
    }

    private String execute(String[] command) throws Exception {
        switch (command[0]) {
            case "load":
                return load(Integer.parseInt(command[1]), Integer.parseInt(command[2]));
            case "block":
                return block();
            case "release":
                blockRelease.countDown();
                blockedCaller.join(TimeUnit.MINUTES.toMillis(1));
                return "done";
            case "async":
                return Handlers.slow(Long.parseLong(command[1])).join();
            case "async-fail":
                try {
                    Handlers.failing().join();
                    return "unexpectedly succeeded";
                } catch (CompletionException failed) {
                    return "failed with " + failed.getCause().getClass().getSimpleName();
                }
            case "pending":
                pending = Handlers.pending();
                return "started";
            case "cancel":
                return "cancelled=" + pending.cancel(true);
            case "throw":
                try {
                    Handlers.throwing();
                    return "unexpectedly returned";
                } catch (IllegalStateException thrown) {
                    return "same-exception=" + (thrown == Handlers.lastThrown);
                }
            case "load-defaults":
                Class.forName(DefaultsHandler.class.getName(), true, EndpointsApp.class.getClassLoader());
                return "loaded";
            case "defaults":
                new DefaultsHandler().defaults();
                DefaultsHandler.partlyNamed();
                return "done";
            case "names":
                java.lang.reflect.Parameter parameter = Handlers.class.getDeclaredMethod("work", long.class)
                        .getParameters()[0];
                return parameter.getName() + (parameter.isNamePresent() ? " present" : " absent");
            default:
                return "unknown command";
        }
    }

    private static String load(int threads, int calls) throws InterruptedException {
        AtomicLong total = new AtomicLong();
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            workers[t] = new Thread(() -> {
                long sum = 0;
                for (int i = 0; i < calls; i++) {
                    sum += Handlers.work(i);
                }
                total.addAndGet(sum);
            }, "load-" + t);
            workers[t].start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        return "done " + total.get();
    }

    private String block() throws InterruptedException {
        CountDownLatch entered = new CountDownLatch(1);
        blockRelease = new CountDownLatch(1);
        CountDownLatch release = blockRelease;
        blockedCaller = new Thread(() -> Handlers.block(entered, release), "blocked-caller");
        blockedCaller.start();
        return entered.await(1, TimeUnit.MINUTES) ? "inside" : "did not enter";
    }

    private static void reply(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
