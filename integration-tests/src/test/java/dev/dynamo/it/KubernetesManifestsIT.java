package dev.dynamo.it;

import dev.dynamo.it.support.Artifacts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13: {@code deploy/kubernetes} parses and agrees with the agent it deploys. The agent's
 * own {@code AgentConfig}, loaded from the jar under test, reads the container's {@code DYN_*}
 * variables; its port and paths must be those of the container port, the readiness probe, the
 * scrape annotations and the PodMonitor; the start-up and liveness probes check the application's own port.
 */
@SuppressWarnings("unchecked")
class KubernetesManifestsIT {
    private static Map<String, Object> deployment;
    private static Map<String, Object> podMonitor;
    private static Map<String, Object> podTemplate;
    private static Map<String, Object> app;
    private static Map<String, String> environment;
    private static AgentView agent;

    /** The agent's settings for the container's environment, read by the agent's own classes. */
    private record AgentView(int port, String metricsPath, String healthPath, List<String> problems,
            ClassLoader loader) {
        boolean isSetting(String name) throws ReflectiveOperationException {
            return (Boolean) loader.loadClass("dev.dynamo.agent.internal.config.SettingNames")
                    .getMethod("isSetting", String.class).invoke(null, name);
        }
    }

    private static Map<String, Object> load(String file) throws IOException {
        return new Yaml().load(Files.readString(Artifacts.deployDir().resolve("kubernetes").resolve(file)));
    }

    private static Map<String, Object> map(Object parent, String... path) {
        Object current = parent;
        for (String key : path) {
            assertTrue(current instanceof Map, "expected a map at " + key + " in " + current);
            current = ((Map<String, Object>) current).get(key);
            assertNotNull(current, "missing " + key);
        }
        return (Map<String, Object>) current;
    }

    private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertTrue(value instanceof List, key + " is a list: " + parent);
        return (List<Map<String, Object>>) value;
    }

    @BeforeAll
    static void readManifestsAndTheAgentsViewOfThem() throws Exception {
        deployment = load("deployment.yaml");
        podMonitor = load("podmonitor.yaml");
        podTemplate = map(deployment, "spec", "template");
        app = list(map(podTemplate, "spec"), "containers").get(0);
        environment = new LinkedHashMap<>();
        for (Map<String, Object> variable : list(app, "env")) {
            environment.put((String) variable.get("name"), String.valueOf(variable.get("value")));
        }
        Map<String, String> dynSettings = new HashMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith("DYN_")) {
                dynSettings.put(name, value);
            }
        });
        URLClassLoader loader = new URLClassLoader(new URL[] {Artifacts.agentJar().toUri().toURL(),
            Artifacts.apiJar().toUri().toURL()}, null);
        Class<?> configClass = loader.loadClass("dev.dynamo.agent.internal.config.AgentConfig");
        Object config = configClass.getMethod("fromEnvironment", Map.class).invoke(null, dynSettings);
        agent = new AgentView((Integer) configClass.getMethod("port").invoke(config),
                (String) configClass.getMethod("metricsPath").invoke(config),
                (String) configClass.getMethod("healthPath").invoke(config),
                (List<String>) configClass.getMethod("problems").invoke(config), loader);
    }

    @Test
    void everyDynVariableIsASettingOfTheAgentAndValid() throws ReflectiveOperationException {
        assertTrue(environment.containsKey("DYN_SYSTEM_PORT"), environment.toString());
        for (String name : environment.keySet()) {
            if (name.startsWith("DYN_")) {
                assertTrue(agent.isSetting(name), name + " is not a setting of the agent");
            }
        }
        assertEquals(List.of(), agent.problems(), "the agent accepts every value");
    }

    @Test
    void theAgentComesFromTheInitContainerThroughASharedVolume() {
        String toolOptions = environment.get("JAVA_TOOL_OPTIONS");
        assertTrue(toolOptions != null && toolOptions.startsWith("-javaagent:"), environment.toString());
        String agentJar = toolOptions.substring("-javaagent:".length()).split("[= ]")[0];
        Map<String, Object> appMount = list(app, "volumeMounts").get(0);
        assertTrue(agentJar.startsWith(appMount.get("mountPath") + "/"), agentJar + " is on the mounted volume");

        Map<String, Object> init = list(map(podTemplate, "spec"), "initContainers").get(0);
        Map<String, Object> initMount = list(init, "volumeMounts").get(0);
        assertEquals(appMount.get("name"), initMount.get("name"), "the same volume");
        List<String> copy = (List<String>) init.get("command");
        String copied = copy.get(copy.size() - 1);
        assertEquals(agentJar.substring(((String) appMount.get("mountPath")).length()),
                copied.substring(((String) initMount.get("mountPath")).length()), "copied to where the JVM loads it");
        Map<String, Object> volume = list(map(podTemplate, "spec"), "volumes").get(0);
        assertEquals(appMount.get("name"), volume.get("name"));
        assertTrue(volume.containsKey("emptyDir"), volume.toString());
    }

    @Test
    void portProbesAnnotationsAndPodMonitorAgreeWithTheAgent() {
        Map<String, Object> metricsPort = list(app, "ports").stream().filter(port -> "metrics".equals(port.get("name")))
                .findFirst().orElseThrow(() -> new AssertionError("no container port named metrics: " + app));
        assertEquals(agent.port(), metricsPort.get("containerPort"));

        Map<String, Object> readiness = map(app, "readinessProbe", "httpGet");
        assertEquals(agent.healthPath(), readiness.get("path"));
        assertEquals("metrics", readiness.get("port"));

        Map<String, Object> annotations = map(podTemplate, "metadata", "annotations");
        assertEquals("true", annotations.get("prometheus.io/scrape"));
        assertEquals(String.valueOf(agent.port()), annotations.get("prometheus.io/port"));
        assertEquals(agent.metricsPath(), annotations.get("prometheus.io/path"));

        assertEquals("PodMonitor", podMonitor.get("kind"));
        Map<String, Object> endpoint = list(map(podMonitor, "spec"), "podMetricsEndpoints").get(0);
        assertEquals("metrics", endpoint.get("port"));
        assertEquals(agent.metricsPath(), endpoint.get("path"));
        Map<String, Object> selector = map(podMonitor, "spec", "selector", "matchLabels");
        Map<String, Object> podLabels = map(podTemplate, "metadata", "labels");
        selector.forEach((key, value) -> assertEquals(value, podLabels.get(key), "the PodMonitor selects the pods"));
    }

    /**
     * The agent's server is off whenever a setting keeps it off and the application runs on (SPEC §7):
     * a liveness or start-up probe on its port would restart a healthy application in a loop (an
     * operations re-tester). They probe a port of the application's own.
     */
    @Test
    void startUpAndLivenessProbeTheApplicationNotTheAgent() {
        List<Object> applicationPorts = list(app, "ports").stream().filter(port -> !"metrics".equals(port.get("name")))
                .flatMap(port -> Stream.of(port.get("name"), port.get("containerPort")))
                .collect(Collectors.toList());
        for (String probe : List.of("startupProbe", "livenessProbe")) {
            Map<String, Object> check = map(app, probe);
            Object port = check.containsKey("tcpSocket") ? map(check, "tcpSocket").get("port")
                    : map(check, "httpGet").get("port");
            assertTrue(applicationPorts.contains(port), probe + " probes " + port + ", not one of the application's"
                    + " ports " + applicationPorts);
            assertNotEquals(String.valueOf(agent.port()), String.valueOf(port), probe + " probes the agent's port");
        }
    }

    @Test
    void podDiscoveryReadsTheAnnotationsTheDeploymentSets() throws IOException {
        Path file = Artifacts.deployDir().resolve("prometheus/kubernetes-pods.yml");
        Map<String, Object> config = new Yaml().load(Files.readString(file));
        Map<String, Object> job = list(config, "scrape_configs").get(0);
        List<Map<String, Object>> relabels = list(job, "relabel_configs");
        Map<String, Object> annotations = map(podTemplate, "metadata", "annotations");

        for (String annotation : annotations.keySet()) {
            String meta = "__meta_kubernetes_pod_annotation_" + annotation.replaceAll("[^A-Za-z0-9]", "_");
            assertTrue(relabels.stream().anyMatch(relabel -> String.valueOf(relabel.get("source_labels"))
                    .contains(meta)), meta + " is read by " + file);
        }
        String port = String.valueOf(annotations.get("prometheus.io/port"));
        assertEquals("10.1.2.3:" + agent.port(), relabelAddress(relabels, "10.1.2.3", "10.1.2.3:8080", port));
        assertEquals("[fd00::5]:" + agent.port(), relabelAddress(relabels, "fd00::5", "[fd00::5]:8080", port),
                "an IPv6 pod");
        assertEquals("10.1.2.3:8080", relabelAddress(relabels, "10.1.2.3", "10.1.2.3:8080", null),
                "a pod without the port annotation keeps its address");
    }

    /**
     * Applies the relabelings that set {@code __address__}, in order, as Prometheus does: the source
     * labels joined with ';' (a missing one is empty), the regex anchored, {@code $n} replaced.
     */
    private static String relabelAddress(List<Map<String, Object>> relabels, String podIp, String address,
            String portAnnotation) {
        Map<String, String> labels = new HashMap<>();
        labels.put("__address__", address);
        labels.put("__meta_kubernetes_pod_ip", podIp);
        labels.put("__meta_kubernetes_pod_annotation_prometheus_io_port", portAnnotation == null ? "" : portAnnotation);
        for (Map<String, Object> relabel : relabels) {
            if (!"__address__".equals(relabel.get("target_label"))) {
                continue;
            }
            @SuppressWarnings("unchecked")
            List<String> sources = (List<String>) relabel.get("source_labels");
            String joined = sources.stream().map(name -> labels.getOrDefault(name, ""))
                    .collect(Collectors.joining(";"));
            Matcher matcher = Pattern.compile("^(?:" + relabel.get("regex") + ")$")
                    .matcher(joined);
            if (matcher.matches()) {
                labels.put("__address__", matcher.replaceAll(String.valueOf(relabel.get("replacement"))));
            }
        }
        return labels.get("__address__");
    }
}
