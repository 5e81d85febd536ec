package dev.dynamo.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM started by a benchmark: the same JDK, the benchmarks jar as class path, given flags and
 * environment. Its output lines are kept so that a caller can wait for a line and read values from
 * it; closing its standard input asks it to exit.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    private ChildJvm(Process process) {
        this.process = process;
        pump(process.getInputStream(), "out");
        pump(process.getErrorStream(), "err");
    }

    /** Starts {@code java <jvmArgs> -cp benchmarks.jar <mainClass> <args>} with {@code environment} changes (null value: unset). */
    public static ChildJvm start(List<String> jvmArgs, Map<String, String> environment, Class<?> mainClass,
            String... args) throws IOException {
        return start(jvmArgs, environment, BenchmarkFiles.benchmarksJar().toString(), mainClass.getName(), args);
    }

    /** Starts {@code java <jvmArgs> -cp <classPath> <mainClass> <args>} with {@code environment} changes (null value: unset). */
    public static ChildJvm start(List<String> jvmArgs, Map<String, String> environment, String classPath,
            String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(BenchmarkFiles.javaLauncher());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        Collections.addAll(command, args);
        ProcessBuilder builder = new ProcessBuilder(command);
        applyEnvironment(builder.environment(), environment);
        return new ChildJvm(builder.start());
    }

    /**
     * Runs {@code command} to its end and returns its output, standard error included; fails, with
     * that output, when it does not exit within {@code timeoutSeconds} or exits with another status than 0.
     *
     * @param what names the run in the failure's message
     */
    public static String runToExit(List<String> command, long timeoutSeconds, String what)
            throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException(what + " failed: " + output);
        }
        return output;
    }

    /** Applies {@code changes} to {@code environment}; a null value removes the variable. */
    public static void applyEnvironment(Map<String, String> environment, Map<String, String> changes) {
        for (Map.Entry<String, String> change : changes.entrySet()) {
            if (change.getValue() == null) {
                environment.remove(change.getKey());
            } else {
                environment.put(change.getKey(), change.getValue());
            }
        }
    }

    /** Waits until an output line matches {@code pattern}; returns its first group. */
    public String await(Pattern pattern, long timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            synchronized (lines) {
                for (String line : lines) {
                    Matcher matcher = pattern.matcher(line);
                    if (matcher.find()) {
                        return matcher.groupCount() > 0 ? matcher.group(1) : matcher.group();
                    }
                }
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("no line matching " + pattern + " within " + timeoutSeconds
                + " s; the child JVM wrote: " + output());
    }

    /** The process id, to read the child's CPU time from {@code /proc}. */
    public long pid() {
        return process.pid();
    }

    public String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    /** Closes the child's standard input and waits for it to exit; after 10 s it is killed. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException alreadyGone) {
            // The process has exited; nothing to ask.
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException interrupted) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void pump(InputStream stream, String name) {
        Thread thread = new Thread(() -> readLines(stream, lines::add), "child-jvm-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void readLines(InputStream stream, Consumer<String> sink) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                sink.accept(line);
            }
        } catch (IOException closed) {
            // The process exited.
        }
    }
}
