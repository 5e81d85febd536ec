package dev.dynamo.it.apps;

import dev.dynamo.runtime.DynamoEndpoint;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Run with {@link SynchronizedSystemLoader} as the system class loader, which then defines this class and
 * its handlers, one class each. Prints {@code loader <class of the system loader>}, then makes the first
 * call of each handler and prints {@code first <endpoint> <ms>}, the time its class took to load and answer.
 * Then commands on stdin: {@code call <n>} calls each handler {@code n} times and answers
 * {@code call done}.
 */
public final class SystemLoaderApp {
    private SystemLoaderApp() {
    }

    static final class First {
        private First() {
        }

        @DynamoEndpoint(namespace = "it", component = "system_loader", endpoint = "first")
        static int handle(int value) {
            return value + 1;
        }
    }

    static final class Second {
        private Second() {
        }

        @DynamoEndpoint(namespace = "it", component = "system_loader", endpoint = "second")
        static int handle(int value) {
            return value + 2;
        }
    }

    public static void main(String[] args) throws Exception {
        System.out.println("loader " + ClassLoader.getSystemClassLoader().getClass().getName());
        long start = System.nanoTime();
        First.handle(0);
        System.out.println("first first " + (System.nanoTime() - start) / 1_000_000);
        start = System.nanoTime();
        Second.handle(0);
        System.out.println("first second " + (System.nanoTime() - start) / 1_000_000);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            int calls = Integer.parseInt(line.trim().split("\\s+")[1]);
            for (int i = 0; i < calls; i++) {
                First.handle(i);
                Second.handle(i);
            }
            System.out.println("call done");
        }
    }
}
