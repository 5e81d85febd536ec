package dev.dynamo.it.apps;

/**
 * Ends at once, then stays in its own shutdown hook for {@code args[0]} ms: the JVM is exiting for
 * that long, while a server the agent starts on a thread of its own (with TLS) may finish starting.
 */
public final class ExitingApp {
    private ExitingApp() {
    }

    public static void main(String[] args) {
        final long hookMillis = Long.parseLong(args[0]);
        Runtime.getRuntime().addShutdownHook(new Thread(new Runnable() {
            @Override
            public void run() {
                System.out.println("exiting");
                try {
                    Thread.sleep(hookMillis);
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "exiting-app-hook"));
        System.exit(0);
    }
}
