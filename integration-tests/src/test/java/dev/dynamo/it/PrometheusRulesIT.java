package dev.dynamo.it;

import dev.dynamo.it.support.Artifacts;
import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.Processes;
import dev.dynamo.it.support.Timeouts;
import dev.dynamo.it.support.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13: the rules of {@code deploy/prometheus} pass {@code promtool check rules}, their unit
 * tests pass {@code promtool test rules}, every alert has a test that fires it and one that does
 * not, and the static scrape configurations pass {@code promtool check config}. (Debian's
 * Prometheus is built without Kubernetes discovery, so {@code kubernetes-pods.yml} is checked by
 * {@code KubernetesManifestsIT} instead.)
 */
@Timeout(120)
class PrometheusRulesIT {
    @RegisterExtension
    final Processes processes = new Processes();

    private static Path prometheusDir() {
        return Artifacts.deployDir().resolve("prometheus");
    }

    private ManagedProcess promtool(String name, String... args) {
        Path promtool = Tools.require("promtool", "install the Debian package prometheus (apt-get install"
                + " prometheus), or run ./test.sh, which does");
        List<String> command = new ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(args));
        ManagedProcess run = processes.start(name, command, System.getenv());
        assertEquals(0, run.awaitExit(Timeouts.EXIT), run.describe());
        return run;
    }

    private static List<Path> ruleFiles() throws IOException {
        try (Stream<Path> files = Files.list(prometheusDir().resolve("rules"))) {
            return files.filter(file -> file.toString().endsWith(".rules.yml")).sorted().toList();
        }
    }

    @Test
    void rulesPassPromtoolCheckRules() throws IOException {
        List<String> args = new ArrayList<>(List.of("check", "rules"));
        ruleFiles().forEach(file -> args.add(file.toString()));
        assertTrue(args.size() >= 4, "rule files found: " + args);

        ManagedProcess check = promtool("promtool-check-rules", args.toArray(String[]::new));

        assertTrue(check.stdout().contains("SUCCESS"), check.describe());
    }

    @Test
    void ruleUnitTestsPassPromtoolTestRules() {
        ManagedProcess test = promtool("promtool-test-rules", "test", "rules",
                prometheusDir().resolve("tests/dynamo-rules.test.yml").toString());

        assertTrue(test.stdout().contains("SUCCESS"), test.describe());
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyAlertIsTestedFiringAndNotFiring() throws IOException {
        Set<String> alerts = new TreeSet<>();
        for (Path file : ruleFiles()) {
            Map<String, Object> rules = new Yaml().load(Files.readString(file));
            for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
                for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                    if (rule.containsKey("alert")) {
                        alerts.add((String) rule.get("alert"));
                    }
                }
            }
        }
        Set<String> firing = new TreeSet<>();
        Set<String> silent = new TreeSet<>();
        Map<String, Object> tests = new Yaml().load(Files.readString(prometheusDir().resolve(
                "tests/dynamo-rules.test.yml")));
        for (Map<String, Object> test : (List<Map<String, Object>>) tests.get("tests")) {
            for (Map<String, Object> alertTest : (List<Map<String, Object>>) test.getOrDefault("alert_rule_test",
                    List.of())) {
                List<Object> expected = (List<Object>) alertTest.get("exp_alerts");
                (expected == null || expected.isEmpty() ? silent : firing).add((String) alertTest.get("alertname"));
            }
        }

        assertTrue(alerts.size() >= 4, alerts.toString());
        assertEquals(alerts, firing, "every alert has a test in which it fires");
        assertEquals(alerts, silent, "every alert has a test in which it does not fire");
    }

    @ParameterizedTest
    @ValueSource(strings = {"prometheus.yml", "local-demo.yml"})
    void theStaticScrapeConfigurationsPassPromtoolCheckConfig(String file) {
        ManagedProcess check = promtool("promtool-check-config", "check", "config",
                prometheusDir().resolve(file).toString());

        assertTrue(check.stdout().contains("is valid prometheus config file syntax"), check.describe());
        assertTrue(check.stdout().contains("SUCCESS: 2 rule files found"), "the rules load: " + check.describe());
    }
}
