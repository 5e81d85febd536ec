package dev.dynamo.it;

import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.Polling;
import dev.dynamo.it.support.Timeouts;

import java.util.List;

/** Talks to {@code EndpointsApp}: one command per line on its stdin, one answer per line on its stdout. */
final class EndpointsAppConsole {
    static final String MAIN_CLASS = "dev.dynamo.it.apps.EndpointsApp";

    private final ManagedProcess app;

    EndpointsAppConsole(ManagedProcess app) {
        this.app = app;
        app.awaitStdoutLine("ready", Timeouts.STARTUP);
    }

    /** Sends {@code command} and returns the app's answer to it, without the command's name. */
    String send(String command) {
        String name = command.split(" ")[0];
        int before = answers(name).size();
        app.send(command);
        return Polling.await(Timeouts.SCRAPE, () -> "no answer to '" + command + "': " + app.describe(), () -> {
            List<String> answers = answers(name);
            return answers.size() > before ? answers.get(answers.size() - 1).substring(name.length() + 1) : null;
        });
    }

    private List<String> answers(String name) {
        return app.stdout().lines().filter(line -> line.startsWith(name + " ")).toList();
    }
}
