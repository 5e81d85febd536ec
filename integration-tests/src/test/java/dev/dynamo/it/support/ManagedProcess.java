package dev.dynamo.it.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A process started by a test, with its stdout and stderr in files. {@link #close()} always ends it;
 * {@link Processes} closes every process a test started.
 */
public final class ManagedProcess implements AutoCloseable {
    private static final Pattern SERVING = Pattern.compile("serving metrics on https?://(\\S+):(\\d+)/metrics");

    private final String name;
    private final List<String> command;
    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final OutputStream stdin;

    private ManagedProcess(String name, List<String> command, Process process, Path stdout, Path stderr) {
        this.name = name;
        this.command = command;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        this.stdin = process.getOutputStream();
    }

    /** Starts {@code command} with exactly {@code environment}, writing output to {@code <outputDir>/<name>.*}. */
    public static ManagedProcess start(String name, List<String> command, Map<String, String> environment,
            Path outputDir) {
        try {
            Files.createDirectories(outputDir);
            Path stdout = outputDir.resolve(name + ".stdout");
            Path stderr = outputDir.resolve(name + ".stderr");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .directory(outputDir.toFile());
            builder.environment().clear();
            builder.environment().putAll(environment);
            return new ManagedProcess(name, new ArrayList<>(command), builder.start(), stdout, stderr);
        } catch (IOException cannotStart) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, cannotStart);
        }
    }

    public long pid() {
        return process.pid();
    }

    /** The socket descriptors the process holds, from {@code /proc/<pid>/fd}. */
    public int socketDescriptors() {
        Path descriptors = Path.of("/proc", String.valueOf(process.pid()), "fd");
        try (Stream<Path> entries = Files.list(descriptors)) {
            return (int) entries.filter(entry -> {
                try {
                    return Files.readSymbolicLink(entry).toString().startsWith("socket:");
                } catch (IOException closedMeanwhile) {
                    return false;
                }
            }).count();
        } catch (IOException failed) {
            throw new UncheckedIOException("cannot list " + descriptors, failed);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String stdout() {
        return read(stdout);
    }

    public String stderr() {
        return read(stderr);
    }

    /** The lines of stderr, without empty ones. */
    public List<String> stderrLines() {
        List<String> lines = new ArrayList<>(Arrays.asList(stderr().split("\\R")));
        lines.removeIf(String::isEmpty);
        return lines;
    }

    /** Writes one line to the process's stdin. */
    public void send(String line) {
        try {
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException closed) {
            throw new UncheckedIOException("cannot write to " + describe(), closed);
        }
    }

    /** Writes {@code text} to stdin and closes it. */
    public void sendAndClose(String text) {
        try {
            stdin.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException closed) {
            throw new UncheckedIOException("cannot write to " + describe(), closed);
        } finally {
            try {
                stdin.close();
            } catch (IOException ignored) {
                // The process has gone; the caller sees its exit code.
            }
        }
    }

    /** Waits until stdout has a line starting with {@code prefix}; returns the last such line. */
    public String awaitStdoutLine(String prefix, Duration timeout) {
        return Polling.await(timeout, () -> "no line starting with '" + prefix + "' on stdout of " + describe(), () -> {
            String found = null;
            for (String line : stdout().split("\\R")) {
                if (line.startsWith(prefix)) {
                    found = line;
                }
            }
            if (found == null && !process.isAlive()) {
                throw new AssertionError("exited before printing '" + prefix + "': " + describe());
            }
            return found;
        });
    }

    /** Waits until stderr contains {@code fragment}. */
    public void awaitStderr(String fragment, Duration timeout) {
        Polling.await(timeout, () -> "no '" + fragment + "' on stderr of " + describe(),
                () -> stderr().contains(fragment) ? Boolean.TRUE : null);
    }

    /** Waits for the agent's "serving metrics on http://host:port/metrics" line and returns the port. */
    public int awaitMetricsPort(Duration timeout) {
        return Polling.await(timeout, () -> "no 'serving metrics on' line (DYN_LOG=info?) on stderr of " + describe(),
                () -> {
                    Matcher serving = SERVING.matcher(stderr());
                    return serving.find() ? Integer.valueOf(serving.group(2)) : null;
                });
    }

    /** Waits for the process to exit and returns its exit code; fails after {@code timeout}. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("still running after " + timeout.getSeconds() + " s: " + describe());
            }
            return process.exitValue();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + name, interrupted);
        }
    }

    /** The command, state and the end of both outputs, for failure messages. */
    public String describe() {
        String state = process.isAlive() ? "running" : "exited with " + process.exitValue();
        return name + " (" + state + ")\n  command: " + String.join(" ", command) + "\n  stdout: " + tail(stdout())
                + "\n  stderr: " + tail(stderr());
    }

    /** Ends the process: a normal termination first, then a forced one. */
    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // The process may have exited already.
        }
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException interrupted) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(String text) {
        String trimmed = text.strip();
        return trimmed.length() <= 3000 ? trimmed : "..." + trimmed.substring(trimmed.length() - 3000);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException unreadable) {
            throw new UncheckedIOException(unreadable);
        }
    }
}
