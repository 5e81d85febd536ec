package dev.dynamo.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;

/** What Linux counts of one thread of a process ({@code /proc/<pid>/task/<tid>/schedstat}). */
public final class ThreadStats {
    /** The name the kernel keeps of the server's selector thread, {@code dynamo-system-server} cut to 15 characters. */
    public static final String SERVER_THREAD = "dynamo-system-s";

    private final Path schedstat;

    private ThreadStats(Path schedstat) {
        this.schedstat = schedstat;
    }

    /** The thread of {@code app} whose name, as the kernel keeps it (15 characters), is {@code comm}. */
    public static ThreadStats of(ManagedProcess app, String comm) throws IOException {
        try (Stream<Path> tasks = Files.list(Paths.get("/proc", String.valueOf(app.pid()), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                if (new String(Files.readAllBytes(task.resolve("comm")), StandardCharsets.US_ASCII).trim().equals(comm)) {
                    return new ThreadStats(task.resolve("schedstat"));
                }
            }
        }
        throw new AssertionError("no thread " + comm + ": " + app.describe());
    }

    /** The CPU time the thread has run, in nanoseconds. */
    public long cpuNanos() throws IOException {
        return field(0);
    }

    /** How many times the thread was put on a CPU: each wake-up from a sleep or park counts one. */
    public long timeslices() throws IOException {
        return field(2);
    }

    private long field(int index) throws IOException {
        return Long.parseLong(new String(Files.readAllBytes(schedstat), StandardCharsets.US_ASCII).trim().split(" ")[index]);
    }
}
