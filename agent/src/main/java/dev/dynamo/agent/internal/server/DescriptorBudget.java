package dev.dynamo.agent.internal.server;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * How many connections the server may hold without taking the file descriptors its host needs: at
 * most {@link ServerLoop#MAX_CONNECTIONS}, and at most half of the descriptors the process has free
 * besides the server's own connections, but always {@link #ALWAYS_ALLOWED}, so that a liveness probe
 * is answered. A re-tester's application holding 811 of 1,024 descriptors lost every file open for
 * 10 s to 300 idle connections, which the fixed limit of 256 let in.
 *
 * <p>The process's descriptors are counted in {@code /proc/self/fd} (Linux), at most once per
 * {@link #SAMPLE_NANOS} and only while the server holds more than {@link #ALWAYS_ALLOWED}
 * connections: a listing costs some microseconds per open descriptor, and ordinary scrapes never
 * pay it. Between two counts the rest of the process is taken to hold what it held at the last. Where
 * there is no {@code /proc/self/fd}, or its limit cannot be read, the fixed limit alone holds.
 * Used by the selector thread only.
 */
final class DescriptorBudget {
    /** Connections the server may always hold, whatever the process's descriptors. */
    static final int ALWAYS_ALLOWED = 8;
    private static final long SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final String MAX_OPEN_FILES = "Max open files";

    private final File descriptors;
    private final String limits;
    private boolean unknown;
    private boolean sampled;
    private long sampledAt;
    /** The process's open descriptors and the server's connections at the last count. */
    private int openAtSample;
    private int ownAtSample;
    private long maxAtSample;

    DescriptorBudget() {
        this(new File("/proc/self/fd"), "/proc/self/limits");
    }

    /** @param descriptors a directory with an entry per open descriptor; {@code limits}: a file as {@code /proc/self/limits} */
    DescriptorBudget(File descriptors, String limits) {
        this.descriptors = descriptors;
        this.limits = limits;
    }

    /** The most connections the server may hold now, when it holds {@code own}. */
    int connectionsAllowed(int own, long now) {
        if (unknown || own < ALWAYS_ALLOWED) {
            return ServerLoop.MAX_CONNECTIONS;
        }
        if (!sampled || now - sampledAt >= SAMPLE_NANOS) {
            String[] open = descriptors.list();
            long max = maxOpenFiles();
            if (open == null || max <= 0) {
                unknown = true;
                return ServerLoop.MAX_CONNECTIONS;
            }
            sampled = true;
            sampledAt = now;
            openAtSample = open.length;
            ownAtSample = own;
            maxAtSample = max;
        }
        // The descriptors the rest of the process holds: those counted, less the server's connections then.
        long others = (long) openAtSample - ownAtSample;
        long allowed = (maxAtSample - others) / 2;
        return (int) Math.max(ALWAYS_ALLOWED, Math.min(ServerLoop.MAX_CONNECTIONS, allowed));
    }

    /** The soft limit on open files, or -1 when unknown; a limit of {@code unlimited} is taken as the fixed limit's. */
    private long maxOpenFiles() {
        try {
            for (String line : new String(Files.readAllBytes(Paths.get(limits)), StandardCharsets.US_ASCII).split("\n")) {
                if (line.startsWith(MAX_OPEN_FILES)) {
                    String soft = line.substring(MAX_OPEN_FILES.length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE / 4 : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // No /proc (not Linux), or a format not known: the fixed limit alone.
        }
        return -1;
    }
}
