package dev.dynamo.it.support;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts processes for one test and ends all of them after it, pass or fail. Register with
 * {@code @RegisterExtension final Processes processes = new Processes();}.
 */
public final class Processes implements BeforeEachCallback, AfterEachCallback {
    private final List<AutoCloseable> started = new ArrayList<>();
    private Path outputDir;
    private int count;

    @Override
    public void beforeEach(ExtensionContext context) {
        String test = context.getRequiredTestMethod().getName();
        if (context.getUniqueId().contains("-invocation:")) {
            test += "-" + context.getDisplayName().replaceAll("[^A-Za-z0-9_.-]+", "_");
        }
        outputDir = Artifacts.workDir().resolve(context.getRequiredTestClass().getSimpleName()).resolve(test);
        deleteRecursively(outputDir);
        count = 0;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception ignored) {
                // Closing the others matters more.
            }
        }
        started.clear();
    }

    /** Starts {@code command}; its output goes to {@code target/it-work/<test class>/<test>/<name>.*}. */
    public ManagedProcess start(String name, List<String> command, Map<String, String> environment) {
        ManagedProcess process = ManagedProcess.start(String.format("%02d-%s", ++count, name), command, environment,
                outputDir);
        started.add(process);
        return process;
    }

    /** Starts a JVM as {@code launcher} describes it. */
    public ManagedProcess start(JvmLauncher launcher) {
        return start(launcher.name(), launcher.command(), launcher.environment());
    }

    /** Closes {@code resource} after the test, with the processes. */
    public <T extends AutoCloseable> T closeAfterTest(T resource) {
        started.add(resource);
        return resource;
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException failed) {
            throw new UncheckedIOException("cannot clear the output of an earlier run in " + dir, failed);
        }
    }

    /** The directory this test's processes write to. */
    public Path outputDir() {
        return outputDir;
    }
}
