package dev.dynamo.it.apps;

import java.io.IOException;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * Chooses its {@code java.util.logging} manager, as applications on JBoss LogManager do: in
 * {@code main}, or with the argument {@code later}, once a first line arrives on stdin (after the
 * test scraped /metrics). Then it logs one line, prints the manager in force
 * ({@code log manager: <class>}), waits for a line on stdin (or its end) and returns.
 */
public final class OwnLogManagerApp {
    private OwnLogManagerApp() {
    }

    /** The application's own manager. */
    public static final class AppLogManager extends LogManager {
    }

    public static void main(String[] args) throws IOException {
        if (args.length > 0 && args[0].equals("later")) {
            System.out.println("waiting");
            System.in.read();
        }
        System.setProperty("java.util.logging.manager", AppLogManager.class.getName());
        Logger.getLogger(OwnLogManagerApp.class.getName()).info("started");
        System.out.println("log manager: " + LogManager.getLogManager().getClass().getName());
        System.in.read();
    }
}
