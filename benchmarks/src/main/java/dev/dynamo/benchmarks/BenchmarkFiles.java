package dev.dynamo.benchmarks;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;

/**
 * Where the benchmarks find their jars and write their results. Everything is resolved from the
 * location of {@code benchmarks.jar} ({@code benchmarks/target/}), so the commands work from any
 * directory; each location can be overridden with a system property.
 */
public final class BenchmarkFiles {
    private BenchmarkFiles() {
    }

    /** The jar (or classes directory) these classes were loaded from. */
    public static Path benchmarksJar() {
        String override = System.getProperty("bench.jar");
        if (override != null) {
            return Paths.get(override).toAbsolutePath();
        }
        try {
            return Paths.get(BenchmarkFiles.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** {@code benchmarks/target}. */
    public static Path targetDir() {
        return benchmarksJar().getParent();
    }

    /** {@code benchmarks/target/agents}: the agents copied by the build. */
    public static Path agentsDir() {
        return Paths.get(System.getProperty("bench.agents", targetDir().resolve("agents").toString()));
    }

    /** The jar of agent {@code name} ({@code dynamo-agent}, {@code opentelemetry-javaagent}, ...). */
    public static Path agent(String name) {
        String override = System.getProperty("bench.agent." + name);
        Path jar = override != null ? Paths.get(override) : agentsDir().resolve(name + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing; build the module first:"
                    + " mvn -Pbenchmarks -pl benchmarks -am package (it copies the agents to " + agentsDir() + ")");
        }
        return jar.toAbsolutePath();
    }

    /** The Spring Boot fat jar of the start-up benchmark, copied by the build to {@code target/apps}. */
    public static Path springApp() {
        Path jar = Paths.get(System.getProperty("bench.spring.app", targetDir().resolve("apps/spring-app.jar").toString()));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing; build the module first: mvn -Pbenchmarks -pl benchmarks"
                    + " -am package (or run without it: -Dbench.startup.spring=false)");
        }
        return jar.toAbsolutePath();
    }

    /** {@code benchmarks/target/results}, created when missing. */
    public static Path resultsDir() {
        Path dir = Paths.get(System.getProperty("bench.results", targetDir().resolve("results").toString()));
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException failed) {
            throw new IllegalStateException("cannot create " + dir + ": " + failed, failed);
        }
        return dir.toAbsolutePath();
    }

    /**
     * Appends the machine's load average to {@code results/load.csv} under {@code part}, so that the
     * report can say how busy the machine was (others may run builds on it at the same time).
     */
    public static void recordLoad(String part) {
        try {
            String load = new String(Files.readAllBytes(Paths.get("/proc/loadavg")), StandardCharsets.UTF_8).trim();
            String[] fields = load.split(" ");
            String row = part + "," + fields[0] + "," + fields[1] + "," + fields[2] + "\n";
            Files.write(resultsDir().resolve("load.csv"), row.getBytes(StandardCharsets.UTF_8),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (java.io.IOException | RuntimeException unavailable) {
            // Not Linux, or /proc unreadable: the report says nothing about load.
        }
    }

    /** The {@code java} launcher of the running JVM, so that every process runs on the same JDK. */
    public static String javaLauncher() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Fails unless this JVM was started with a {@code -javaagent} whose path contains {@code agentName}. */
    public static void requireAgent(String agentName) {
        if (!agentAttached(agentName)) {
            throw new IllegalStateException("this benchmark needs -javaagent:" + agentName + ".jar; run it through"
                    + " `java -jar benchmarks/target/benchmarks.jar percall` which starts each case in its own fork"
                    + " with the right flags. JVM arguments: " + ManagementFactory.getRuntimeMXBean().getInputArguments());
        }
    }

    /** Fails when this JVM was started with any {@code -javaagent}. */
    public static void requireNoAgent() {
        for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (argument.startsWith("-javaagent:")) {
                throw new IllegalStateException("this benchmark measures code without an agent, but " + argument
                        + " is attached");
            }
        }
    }

    private static boolean agentAttached(String agentName) {
        for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (argument.startsWith("-javaagent:") && new File(argument.substring("-javaagent:".length()).split("=")[0])
                    .getName().startsWith(agentName)) {
                return true;
            }
        }
        return false;
    }
}
