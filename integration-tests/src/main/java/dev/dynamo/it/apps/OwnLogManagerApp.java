package dev.dynamo.it.apps;

import java.io.IOException;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * Chooses its {@code java.util.logging} manager in {@code main}, as applications on JBoss LogManager
 * do, logs one line, prints the manager in force ({@code log manager: <class>}), then waits for a line
 * on stdin (or its end) and returns.
 */
public final class OwnLogManagerApp {
    private OwnLogManagerApp() {
    }

    /** The application's own manager. */
    public static final class AppLogManager extends LogManager {
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("java.util.logging.manager", AppLogManager.class.getName());
        Logger.getLogger(OwnLogManagerApp.class.getName()).info("started");
        System.out.println("log manager: " + LogManager.getLogManager().getClass().getName());
        System.in.read();
    }
}
