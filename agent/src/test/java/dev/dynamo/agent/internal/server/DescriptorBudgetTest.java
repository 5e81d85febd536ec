package dev.dynamo.agent.internal.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The server holds at most half the descriptors its process has free, 256 at most and 8 at least. */
class DescriptorBudgetTest {
    private static final long TICK = 100_000_000L;

    @Test
    void takesAtMostHalfOfTheDescriptorsTheRestOfTheProcessLeavesFree(@TempDir Path dir) throws IOException {
        // A process with a limit of 1,024, holding 811 descriptors, 20 of them the server's connections.
        DescriptorBudget budget = budget(dir, 811, "1024");

        assertEquals(ServerLoop.MAX_CONNECTIONS, budget.connectionsAllowed(DescriptorBudget.ALWAYS_ALLOWED - 1, 0),
                "below the connections always allowed, nothing is counted");
        assertEquals((1024 - (811 - 20)) / 2, budget.connectionsAllowed(20, 0));
        assertEquals((1024 - (811 - 20)) / 2, budget.connectionsAllowed(60, 1),
                "between two counts, the rest of the process is taken to hold what it held");
    }

    @Test
    void keepsTheFixedLimitWhereDescriptorsAreMany(@TempDir Path dir) throws IOException {
        assertEquals(ServerLoop.MAX_CONNECTIONS, budget(dir, 300, "65536").connectionsAllowed(100, 0));
        assertEquals(ServerLoop.MAX_CONNECTIONS, budget(dir.resolve("u"), 300, "unlimited").connectionsAllowed(100, 0));
    }

    @Test
    void alwaysAllowsAFewSoThatLivenessIsAnswered(@TempDir Path dir) throws IOException {
        assertEquals(DescriptorBudget.ALWAYS_ALLOWED, budget(dir, 1020, "1024").connectionsAllowed(10, 0));
    }

    @Test
    void countsAgainOnceATickHasPassed(@TempDir Path dir) throws IOException {
        DescriptorBudget budget = budget(dir, 100, "400");
        assertEquals((400 - (100 - 10)) / 2, budget.connectionsAllowed(10, 0));
        for (int i = 100; i < 300; i++) {
            Files.createFile(dir.resolve("fd").resolve(Integer.toString(i)));
        }
        assertEquals((400 - (100 - 10)) / 2, budget.connectionsAllowed(10, TICK / 2));
        assertEquals((400 - (300 - 10)) / 2, budget.connectionsAllowed(10, TICK));
    }

    @Test
    void keepsTheFixedLimitWithoutProc(@TempDir Path dir) {
        DescriptorBudget budget = new DescriptorBudget(new File(dir.toFile(), "none"), dir.resolve("none").toString());
        assertEquals(ServerLoop.MAX_CONNECTIONS, budget.connectionsAllowed(100, 0));
    }

    /** A stand-in for /proc/self: {@code open} entries in fd/, and a limits file with the soft limit {@code max}. */
    private static DescriptorBudget budget(Path dir, int open, String max) throws IOException {
        Path fd = Files.createDirectories(dir.resolve("fd"));
        for (int i = 0; i < open; i++) {
            Files.createFile(fd.resolve(Integer.toString(i)));
        }
        Path limits = dir.resolve("limits");
        Files.write(limits, ("Limit                     Soft Limit           Hard Limit           Units     \n"
                + "Max processes             63704                63704                processes \n"
                + "Max open files            " + max + "                 " + max + "                 files     \n")
                .getBytes(StandardCharsets.US_ASCII));
        return new DescriptorBudget(fd.toFile(), limits.toString());
    }
}
