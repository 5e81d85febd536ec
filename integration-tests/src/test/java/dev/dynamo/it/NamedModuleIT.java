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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Applications that run as named modules ({@code java --module-path ... -m module/main}), as
 * jlink-minded and JPMS applications do. A named module reads no unnamed module of its own accord,
 * yet the woven code calls the agent's API in the bootstrap loader's unnamed module: these tests
 * show it links there (the JVM lets every module read the unnamed modules while a class file
 * transformer may be at work), whether the module requires the API jar at run time or only at
 * compile time ({@code requires static}), on every installed JDK.
 */
@Timeout(180)
class NamedModuleIT {
    private static final String MODULE = "dev.dynamo.it.modular";
    private static final String READY_LINE = "modular app: calls done";
    private static final Map<String, String> WORK = Labels.endpoint("modular", "jpms", "work");
    private static final int CALLS = 40;
    /** Every fifth call throws. */
    private static final int FAILURES = 8;

    private static Path withApiModule;
    private static Path withoutApiAtRunTime;

    @RegisterExtension
    final Processes processes = new Processes();

    static List<Jdk> installedJdks() {
        return Jdks.installed();
    }

    @BeforeAll
    static void compileTheModules() throws IOException {
        Path root = Artifacts.workDir().resolve("named-module");
        withApiModule = compile(root.resolve("requires"), "requires dev.dynamo.runtime;", true);
        withoutApiAtRunTime = compile(root.resolve("requires-static"), "requires static dev.dynamo.runtime;", false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("installedJdks")
    void measuresAnEndpointOfAModuleThatRequiresTheApi(Jdk jdk) {
        ManagedProcess app = start(jdk, withApiModule, "requires");

        Exposition page = scrapeAfterTheCalls(app);
        assertEndpointCounted(page, app);
        assertEquals(1, page.value("dynamo_component_modular_things_total", WORK),
                "the module's own API metric: " + app.describe());
        // The API module on the module path is the app loader's, as an archived copy's would be: not one.
        assertFalse(app.stderr().contains("WARN"), "no warning: " + app.describe());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("installedJdks")
    void measuresAnEndpointOfAModuleThatHasTheApiOnlyAtCompileTime(Jdk jdk) {
        ManagedProcess app = start(jdk, withoutApiAtRunTime, "requires-static");

        assertEndpointCounted(scrapeAfterTheCalls(app), app);
    }

    private ManagedProcess start(Jdk jdk, Path modulePath, String name) {
        return processes.start(JvmLauncher.withAgent("named-module-" + name).jdk(jdk)
                .env("DYN_SYSTEM_PORT", "0")
                .module(modulePath, MODULE + "/dev.dynamo.it.modular.ModularApp")
                .args(String.valueOf(CALLS)));
    }

    private static Exposition scrapeAfterTheCalls(ManagedProcess app) {
        assertEquals(READY_LINE + " " + CALLS, app.awaitStdoutLine(READY_LINE, Timeouts.STARTUP));
        return new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP))
                .awaitValue(Timeouts.SCRAPE, "dynamo_component_requests_total", WORK, CALLS);
    }

    private static void assertEndpointCounted(Exposition page, ManagedProcess app) {
        assertEquals(CALLS, page.value("dynamo_component_request_duration_seconds_count", WORK), app.describe());
        assertEquals(0, page.value("dynamo_component_inflight_requests", WORK), app.describe());
        assertEquals(FAILURES, page.value("dynamo_component_errors_total",
                Labels.with(WORK, "error_type", "IllegalStateException")), app.describe());
        assertFalse(app.stderr().contains("Exception"), "nothing thrown at the application: " + app.describe());
    }

    /**
     * Compiles the application module against the API jar into {@code dir/mods}, and returns the
     * module path to run it with: the module, plus the API jar when it is required at run time.
     */
    private static Path compile(Path dir, String requiresApi, boolean apiAtRunTime) throws IOException {
        Path sources = dir.resolve("src");
        Path classes = dir.resolve("mods").resolve(MODULE);
        Path packageDir = sources.resolve("dev/dynamo/it/modular");
        Files.createDirectories(packageDir);
        Files.createDirectories(classes);
        Files.writeString(sources.resolve("module-info.java"), "module " + MODULE + " {\n    " + requiresApi + "\n}\n");
        Files.writeString(packageDir.resolve("ModularApp.java"), appSource(apiAtRunTime));
        if (apiAtRunTime) {
            Files.copy(Artifacts.apiJar(), dir.resolve("mods").resolve("dynamo-api.jar"), StandardCopyOption.REPLACE_EXISTING);
        }

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int status = javac.run(null, null, errors, "-d", classes.toString(),
                "--module-path", Artifacts.apiJar().toString(),
                sources.resolve("module-info.java").toString(), packageDir.resolve("ModularApp.java").toString());
        assertEquals(0, status, "the module must compile: " + errors.toString(StandardCharsets.UTF_8));
        // The exploded module and, when required at run time, the API jar beside it (an automatic module).
        return dir.resolve("mods");
    }

    private static String appSource(boolean apiAtRunTime) {
        String ownMetric = apiAtRunTime
                ? "        dev.dynamo.runtime.DistributedRuntime.get().namespace(\"modular\").component(\"jpms\")"
                + ".endpoint(\"work\").metrics()\n"
                + "                .createCounter(\"modular_things\", \"things\", java.util.Collections.emptyMap()).inc();\n"
                : "";
        return "package dev.dynamo.it.modular;\n"
                + "\n"
                + "import dev.dynamo.runtime.DynamoEndpoint;\n"
                + "\n"
                + "public final class ModularApp {\n"
                + "    public static void main(String[] args) throws Exception {\n"
                + "        int calls = Integer.parseInt(args[0]);\n"
                + "        for (int i = 0; i < calls; i++) {\n"
                + "            try {\n"
                + "                work(i);\n"
                + "            } catch (IllegalStateException expected) {\n"
                + "                // every fifth call fails on purpose\n"
                + "            }\n"
                + "        }\n"
                + ownMetric
                + "        System.out.println(\"" + READY_LINE + " \" + calls);\n"
                + "        System.out.flush();\n"
                + "        System.in.read();\n"
                + "    }\n"
                + "\n"
                + "    @DynamoEndpoint(namespace = \"modular\", component = \"jpms\", endpoint = \"work\")\n"
                + "    static int work(int i) {\n"
                + "        if (i % 5 == 4) {\n"
                + "            throw new IllegalStateException(\"call \" + i);\n"
                + "        }\n"
                + "        return i * 2;\n"
                + "    }\n"
                + "}\n";
    }
}
