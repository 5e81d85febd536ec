package dev.dynamo.it.support;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code promtool check metrics}, the Prometheus project's own linter for exposition text. */
public final class Promtool {

    private Promtool() {
    }

    /** Pipes {@code page} into {@code promtool check metrics}; fails unless it exits 0 and reports nothing. */
    public static void assertAccepts(Processes processes, String page) {
        Path promtool = Tools.require("promtool", "install the Debian package prometheus (apt-get install prometheus)");
        ManagedProcess check = processes.start("promtool", List.of(promtool.toString(), "check", "metrics"),
                System.getenv());
        check.sendAndClose(page);
        int exit = check.awaitExit(Timeouts.EXIT);
        assertEquals(0, exit, "promtool check metrics rejected the page: " + check.describe());
        assertEquals("", check.stdout().strip() + check.stderr().strip(), "promtool reported problems");
    }
}
