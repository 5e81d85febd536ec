package dev.dynamo.it.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** The jars under test and the work directory, as the build passes them (see the failsafe configuration). */
public final class Artifacts {

    private Artifacts() {
    }

    public static Path agentJar() {
        return existing("it.agent.jar");
    }

    public static Path apiJar() {
        return existing("it.api.jar");
    }

    public static Path demoJar() {
        return existing("it.demo.jar");
    }

    /** The API from before the agent/API contract carried a format version (see {@code src/test/fixtures}). */
    public static Path preContractApiJar() {
        return existing("it.pre.contract.api.jar");
    }

    /** The applications of {@code integration-tests/src/main}. */
    public static Path appsJar() {
        return existing("it.apps.jar");
    }

    /**
     * The applications of the {@code it-apps} module, with their libraries: Kotlin coroutines,
     * Reactor and grpc-java handlers.
     */
    public static Path handlerStyleAppsJar() {
        return existing("it.styles.jar");
    }

    /**
     * The Spring Boot WebFlux application of the {@code spring-boot-app} module: a fat jar with the
     * dynamo API in {@code BOOT-INF/lib}, run with {@code java -jar}.
     */
    public static Path springBootAppJar() {
        return existing("it.spring.jar");
    }

    /** The OpenTelemetry Java agent, another agent that instruments the same methods ({@code @WithSpan}). */
    public static Path openTelemetryAgentJar() {
        return existing("it.otel.agent.jar");
    }

    /** The application's own simpleclient (an older version than the agent's). */
    public static List<Path> simpleclientJars() {
        List<Path> jars = new ArrayList<>();
        for (String jar : property("it.simpleclient.jars").split(",")) {
            jars.add(requireFile("it.simpleclient.jars", Paths.get(jar)));
        }
        return jars;
    }

    /** The repository's {@code deploy/} directory: Prometheus rules, Grafana dashboard, Kubernetes manifests. */
    public static Path deployDir() {
        return Paths.get(property("it.deploy.dir")).toAbsolutePath().normalize();
    }

    /** Where launched processes write their output: {@code target/it-work}. */
    public static Path workDir() {
        return Paths.get(property("it.work.dir"));
    }

    private static Path existing(String name) {
        return requireFile(name, Paths.get(property(name)));
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException("system property " + name + " is not set; run the integration tests"
                    + " through Maven (mvn verify), which sets it");
        }
        return value;
    }

    private static Path requireFile(String name, Path path) {
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(name + " points to " + path + ", which does not exist");
        }
        return path.toAbsolutePath();
    }
}
