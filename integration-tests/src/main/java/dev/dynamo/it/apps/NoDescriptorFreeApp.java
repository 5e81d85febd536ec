package dev.dynamo.it.apps;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * At a first line on stdin takes every file descriptor but one (run it under a small
 * {@code ulimit -n}) and prints {@code held N}; at a second line releases them, then uses the JDK facilities whose first
 * use needs a descriptor and prints one {@code check <what> ok|FAILED ...} line each, then
 * {@code checked}, and returns at a third line (or the end of stdin).
 */
public final class NoDescriptorFreeApp {
    private NoDescriptorFreeApp() {
    }

    public static void main(String[] args) throws IOException {
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("waiting");
        System.out.flush();
        stdin.readLine();
        List<FileInputStream> held = new ArrayList<>();
        try {
            while (true) {
                held.add(new FileInputStream("/proc/self/status"));
            }
        } catch (IOException noneLeft) {
            // Every descriptor taken.
        }
        held.remove(held.size() - 1).close(); // one left: the scrape's connection takes it
        System.out.println("held " + held.size());
        System.out.flush();
        stdin.readLine();
        for (FileInputStream in : held) {
            in.close();
        }
        check("management", () -> ManagementFactory.getOperatingSystemMXBean().getAvailableProcessors());
        check("logging", () -> java.util.logging.LogManager.getLogManager().getClass().getName());
        check("security", () -> java.security.Security.getProviders().length);
        check("file-channel", () -> {
            try (FileChannel channel = FileChannel.open(Paths.get("/proc/self/status"))) {
                return channel.read(ByteBuffer.allocate(64));
            }
        });
        System.out.println("checked");
        System.out.flush();
        stdin.readLine();
    }

    private static void check(String what, Callable<Object> use) {
        try {
            System.out.println("check " + what + " ok " + use.call());
        } catch (Throwable failed) {
            System.out.println("check " + what + " FAILED " + failed + (failed.getCause() != null ? " / " + failed.getCause() : ""));
        }
    }
}
