package dev.dynamo.it;

import dev.dynamo.it.support.Artifacts;
import dev.dynamo.it.support.Exposition;
import dev.dynamo.it.support.Jdk;
import dev.dynamo.it.support.Jdks;
import dev.dynamo.it.support.JvmLauncher;
import dev.dynamo.it.support.Labels;
import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.MetricsScraper;
import dev.dynamo.it.support.Processes;
import dev.dynamo.it.support.Timeouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static dev.dynamo.it.EndpointCallChecks.assertCalls;
import static dev.dynamo.it.EndpointCallChecks.none;
import static dev.dynamo.it.EndpointInstrumentationIT.INFLIGHT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Applications run under a Java SecurityManager (JDK 17; JDK 24 and later can no longer enable one),
 * as legacy ones still do (Tomcat's {@code -security}, custom policies), with a policy that grants the
 * agent's jar what docs/troubleshooting.md says and the application only the default permissions.
 */
@Timeout(180)
class SecurityManagerIT {
    private static final int CALLS = 200;

    @RegisterExtension
    final Processes processes = new Processes();

    @TempDir
    Path workDir;

    /**
     * The measurement runs inside the application's frames (a coroutine's resumption), whose code the
     * policy grants nothing: the agent's reflection there must use the agent's permissions. Before, a
     * suspend function's errors were not counted at all (a tester: 1 of 2,000, or none), without a word.
     */
    @Test
    void kotlinSuspendFunctionsAreCountedExactlyWhenOnlyTheAgentIsGranted() throws IOException {
        Path policy = workDir.resolve("agent.policy");
        Files.writeString(policy, applicationGrant() + "grant codeBase \"" + Artifacts.agentJar().toUri() + "\" {\n"
                + "    permission java.security.AllPermission;\n};\n");
        ManagedProcess app = processes.start(coroutineApp("security-manager-agent-granted", policy));
        MetricsScraper scraper = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));
        app.awaitStdoutLine("done " + CALLS, Timeouts.STARTUP);
        Exposition page = scraper.awaitPage(Timeouts.SCRAPE, "no call in flight",
                current -> current.samples(INFLIGHT).stream().allMatch(sample -> sample.value() == 0));

        assertCalls(page, kotlin("suspend_once"), CALLS, CALLS * 0.005, none(), 0);
        assertCalls(page, kotlin("failing"), 4, 0.004, Map.of("QuotaExceededException", 4), 0);
        assertCalls(page, kotlin("waiting"), 3, 3 * 0.1, none(), 3);
        assertEquals(List.of(), agentWarnings(app), "a granted agent has nothing to complain of");
        // The API defined in the bootstrap class loader directly, not appended to its class path, which
        // turns class data sharing off for the application's classes with a line of the JVM's own.
        assertFalse(app.stderr().contains("Sharing is only supported for boot loader classes"), app.stderr());
    }

    /**
     * The agent subscribes the Mono, Single and Uni that handlers return through a class of its own,
     * whose frame is below everything the subscription does: the application keeps its permissions
     * there. Before, that class had a class loader's default protection domain, and a file read the
     * policy grants the application was denied inside its Mono (checked by hand).
     */
    @Test
    void reactiveHandlersKeepTheApplicationsPermissionsInsideTheirSubscriptions() throws IOException {
        Path readable = Files.writeString(workDir.resolve("readable.txt"), "granted");
        Path policy = workDir.resolve("reading.policy");
        Files.writeString(policy, "grant codeBase \"" + Artifacts.handlerStyleAppsJar().toUri() + "\" {\n"
                + "    permission java.util.PropertyPermission \"*\", \"read\";\n"
                + "    permission java.io.FilePermission \"" + readable + "\", \"read\";\n};\n"
                + "grant codeBase \"" + Artifacts.agentJar().toUri() + "\" {\n    permission java.security.AllPermission;\n};\n");
        ManagedProcess app = processes.start(JvmLauncher.withAgent("security-manager-permitted-read")
                .jdk(withSecurityManager()).jvmArgs("-Djava.security.manager", "-Djava.security.policy=" + policy)
                .classpath(Artifacts.handlerStyleAppsJar(), Artifacts.apiJar())
                .mainClass("dev.dynamo.it.styles.PermittedReadApp").args(readable.toString())
                .env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info"));
        MetricsScraper scraper = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));
        app.awaitStdoutLine("read mono=true single=true uni=true", Timeouts.STARTUP);

        Exposition page = scraper.scrape();
        for (String endpoint : List.of("mono", "single", "uni")) {
            assertCalls(page, Labels.endpoint("it", "permitted", endpoint), 1, 0, none(), 0);
        }
        assertEquals(List.of(), agentWarnings(app));
    }

    /**
     * A policy that grants the agent nothing: the application runs on as without the agent, and one
     * line says what to grant, not merely the first permission the agent was refused.
     */
    @Test
    void anAgentGrantedNothingSaysWhatToGrantAndTheApplicationRunsOn() throws IOException {
        Path policy = workDir.resolve("application.policy");
        Files.writeString(policy, applicationGrant());
        ManagedProcess app = processes.start(coroutineApp("security-manager-agent-refused", policy));
        app.awaitStdoutLine("done " + CALLS, Timeouts.STARTUP);
        app.awaitStderr("java.security.AllPermission", Timeouts.STARTUP);

        String said = String.join("\n", app.stderrLines());
        // In the agent's log format (docs/configuration.md): "<UTC time> ERROR dynamo-agent [AgentMain] ...".
        assertTrue(Pattern.compile("(?m)^\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z ERROR dynamo-agent \\[AgentMain\\] failed to start")
                .matcher(said).find() && said.contains("SecurityManager refused")
                && said.contains("grant codeBase \"file:" + Artifacts.agentJar().toAbsolutePath() + "\""), said);
    }

    /**
     * The application installs the SecurityManager itself once it runs ({@code -Djava.security.manager=allow}),
     * then loads its handlers. The JDK's first package checks load their own classes through the agent's
     * transformer, and the handlers are woven under the manager. Before, the first check failed with
     * {@code ClassCircularityError: sun/reflect/misc/ReflectUtil} and the application exited (a re-tester).
     */
    @Test
    void anApplicationThatInstallsASecurityManagerLaterRunsOnAndIsCountedExactly() throws IOException {
        Path policy = workDir.resolve("agent-only.policy");
        Files.writeString(policy, "grant codeBase \"" + Artifacts.agentJar().toUri() + "\" {\n"
                + "    permission java.security.AllPermission;\n};\n");
        ManagedProcess app = processes.start(JvmLauncher.withAgent("security-manager-installed-later")
                .jdk(withSecurityManager()).jvmArgs("-Djava.security.manager=allow", "-Djava.security.policy=" + policy)
                .classpath(Artifacts.handlerStyleAppsJar(), Artifacts.apiJar())
                .mainClass("dev.dynamo.it.styles.LateSecurityManagerApp").args(String.valueOf(CALLS))
                .env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info"));
        MetricsScraper scraper = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));
        app.awaitStdoutLine("done " + CALLS, Timeouts.STARTUP);

        assertCalls(scraper.scrape(), Labels.endpoint("it", "late_security_manager", "handle"), CALLS, 0, none(), 0);
        assertEquals(List.of(), agentWarnings(app));
    }

    /**
     * What the application itself needs beyond the JDK's default policy: kotlinx.coroutines starts its
     * threads with a context class loader of its own. Nothing the agent needs.
     */
    private static String applicationGrant() {
        return "grant codeBase \"" + Artifacts.handlerStyleAppsJar().toUri() + "\" {\n"
                + "    permission java.lang.RuntimePermission \"setContextClassLoader\";\n"
                + "    permission java.lang.RuntimePermission \"modifyThread\";\n};\n";
    }

    /** The Kotlin application of HandlerStylesIT with the agent, under a SecurityManager and {@code policy}. */
    private static JvmLauncher coroutineApp(String name, Path policy) {
        return JvmLauncher.withAgent(name).jdk(withSecurityManager())
                .jvmArgs("-Djava.security.manager", "-Djava.security.policy=" + policy)
                .classpath(Artifacts.handlerStyleAppsJar(), Artifacts.apiJar())
                .mainClass("dev.dynamo.it.styles.CoroutineApp").args(String.valueOf(CALLS))
                .env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info");
    }

    /** A JDK that can still enable a SecurityManager (before 24): the machine's JDK 17. */
    private static Jdk withSecurityManager() {
        return Jdks.installed().stream().filter(jdk -> jdk.feature() < 24).findFirst()
                .orElseThrow(() -> new IllegalStateException("no JDK before 24 among " + Jdks.installed()
                        + ": the SecurityManager tests need one (JDK 17 is the project's default)"));
    }

    private static List<String> agentWarnings(ManagedProcess app) {
        return app.stderrLines().stream().filter(line -> line.contains("WARN dynamo-agent")
                || line.contains("ERROR dynamo-agent"))
                .collect(Collectors.toList());
    }

    private static Map<String, String> kotlin(String endpoint) {
        return Labels.endpoint("it", "kotlin", endpoint);
    }
}
