package dev.dynamo.it.support;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Talks to an app that answers each stdin line {@code <id> <command>} with a stdout line
 * {@code <id> <result>}, as {@code ParityApp} does.
 */
public final class CommandedApp {
    private final ManagedProcess process;
    private final AtomicInteger ids = new AtomicInteger();

    public CommandedApp(ManagedProcess process) {
        this.process = process;
    }

    /** Sends {@code command} and returns the app's result (the answer without its id). */
    public String run(String command) {
        String id = "c" + ids.incrementAndGet();
        process.send(id + " " + command);
        String answer = process.awaitStdoutLine(id + " ", Timeouts.SCRAPE);
        return answer.substring(id.length() + 1);
    }

    public ManagedProcess process() {
        return process;
    }
}
