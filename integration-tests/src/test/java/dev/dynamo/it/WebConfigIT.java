package dev.dynamo.it;

import dev.dynamo.it.support.Artifacts;
import dev.dynamo.it.support.DemoTraffic;
import dev.dynamo.it.support.FreePorts;
import dev.dynamo.it.support.JvmLauncher;
import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.Polling;
import dev.dynamo.it.support.Processes;
import dev.dynamo.it.support.TestPki;
import dev.dynamo.it.support.Timeouts;
import dev.dynamo.it.support.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11: the Prometheus web configuration file ({@code DYN_SYSTEM_WEB_CONFIG}) with real tools:
 * {@code promtool check web-config}, {@code curl}, {@code openssl}-made certificates and a real
 * Prometheus server scraping over HTTPS with basic auth.
 */
@Timeout(300)
class WebConfigIT {
    private static final Path EXAMPLES = Path.of("..", "deploy", "web-config");
    /** The password whose hash deploy/web-config/basic-auth.yml carries. */
    private static final String EXAMPLE_PASSWORD = "changeme";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @RegisterExtension
    final Processes processes = new Processes();

    /** The example files, next to a CA, a server certificate it signed, and a client certificate. */
    private TestPki examplesWithCertificates() throws IOException {
        Path directory = processes.outputDir().resolve("config");
        TestPki pki = new TestPki(processes, directory).authority("ca").leaf("server", "ec", "ca")
                .leaf("client", "ec", "ca").authority("other-ca").leaf("stranger", "ec", "other-ca");
        for (String example : List.of("tls.yml", "mtls.yml", "basic-auth.yml")) {
            Files.copy(EXAMPLES.resolve(example), directory.resolve(example));
        }
        return pki;
    }

    private ManagedProcess agentWith(Path webConfig, int port) {
        return processes.start(JvmLauncher.demoServer("demo-server", "--port", "0")
                .env("DYN_SYSTEM_PORT", String.valueOf(port))
                .env("DYN_SYSTEM_WEB_CONFIG", webConfig.toString())
                .env("DYN_LOG", "info"));
    }

    /** Runs curl; returns its exit code, the HTTP status it printed, and what it wrote to stderr. */
    private CurlResult curl(String... args) {
        Path curl = Tools.require("curl", "install the Debian package curl");
        List<String> command = new ArrayList<>(List.of(curl.toString(), "-sS", "--max-time", "20",
                "-o", "/dev/null", "-D", "-", "-w", "status=%{http_code}\n"));
        command.addAll(List.of(args));
        ManagedProcess process = processes.start("curl", command, System.getenv());
        int exit = process.awaitExit(Timeouts.EXIT);
        return new CurlResult(exit, process.stdout(), process.stderr());
    }

    private record CurlResult(int exit, String headers, String stderr) {
        boolean status(int expected) {
            return exit == 0 && headers.contains("status=" + expected + "\n");
        }
    }

    @Test
    void aTlsServerThatFinishesStartingWhileTheJvmExitsStopsAtOnce() throws IOException, InterruptedException {
        // With TLS the server starts on a thread of its own; this application ends before it is up and
        // then keeps the JVM exiting for 20 s in its own shutdown hook.
        TestPki pki = examplesWithCertificates();
        int port = FreePorts.pick();
        ManagedProcess app = processes.start(JvmLauncher.withAgent("exiting-app")
                .classpath(Artifacts.appsJar(), Artifacts.apiJar()).mainClass("dev.dynamo.it.apps.ExitingApp")
                .args("20000").env("DYN_SYSTEM_PORT", String.valueOf(port))
                .env("DYN_SYSTEM_WEB_CONFIG", pki.file("tls.yml").toString()).env("DYN_LOG", "info"));
        app.awaitStdoutLine("exiting", Timeouts.STARTUP);
        app.awaitStderr("not serving metrics on https://127.0.0.1:" + port + "/metrics: the JVM began to exit",
                Timeouts.STARTUP);

        // Too late for its shutdown hook: it stops by itself rather than run through the exit, whose end
        // a selector thread would hold up.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (FreePorts.isListening(port) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(FreePorts.isListening(port), "the server still listens during the JVM's exit: " + app.describe());
        assertTrue(app.isAlive(), "still in the application's shutdown hook: " + app.describe());
        assertFalse(app.stderr().contains("] serving metrics"), "claims to serve while it stopped: " + app.describe());
    }

    @Test
    void promtoolAcceptsTheExampleFiles() throws IOException {
        TestPki pki = examplesWithCertificates();
        Path promtool = Tools.require("promtool", "install the Debian package prometheus");
        ManagedProcess check = processes.start("promtool", List.of(promtool.toString(), "check", "web-config",
                pki.file("tls.yml").toString(), pki.file("mtls.yml").toString(),
                pki.file("basic-auth.yml").toString()), System.getenv());

        assertEquals(0, check.awaitExit(Timeouts.EXIT), check.describe());
        String report = check.stdout() + check.stderr();
        assertEquals(3, report.split(" SUCCESS", -1).length - 1, check.describe());
    }

    @Test
    void servesHttpsWithBasicAuthToCurlAndToPrometheusAndReloadsTheCertificate() throws Exception {
        TestPki pki = examplesWithCertificates();
        int port = FreePorts.pick();
        ManagedProcess app = agentWith(pki.file("basic-auth.yml"), port);
        app.awaitStderr("serving metrics on https://127.0.0.1:" + port + "/metrics", Timeouts.STARTUP);
        String base = "https://127.0.0.1:" + port;
        String ca = pki.file("ca.crt").toString();

        CurlResult ok = curl("--cacert", ca, "-u", "prometheus:" + EXAMPLE_PASSWORD, base + "/metrics");
        assertTrue(ok.status(200), ok.toString());
        assertTrue(ok.headers().contains("Strict-Transport-Security: max-age=31536000"), ok.toString());
        CurlResult untrusted = curl("-u", "prometheus:" + EXAMPLE_PASSWORD, base + "/metrics");
        assertEquals(60, untrusted.exit(), "curl cannot verify the certificate without the CA: " + untrusted);
        CurlResult wrong = curl("--cacert", ca, "-u", "prometheus:wrong", base + "/metrics");
        assertTrue(wrong.status(401), wrong.toString());
        assertTrue(wrong.headers().contains("WWW-Authenticate: Basic realm=\"dynamo-agent\""), wrong.toString());
        assertTrue(wrong.headers().contains("Strict-Transport-Security: max-age=31536000"), wrong.toString());
        assertTrue(curl("--cacert", ca, base + "/health").status(401));
        assertTrue(curl("--cacert", ca, base + "/live").status(200), "liveness stays open");
        CurlResult plain = curl("http://127.0.0.1:" + port + "/metrics");
        assertFalse(plain.status(200), "no plain HTTP on a TLS port: " + plain);

        Path prometheus = Tools.require("prometheus", "install the Debian package prometheus");
        Path passwordFile = Files.createDirectories(processes.outputDir()).resolve("password");
        Files.writeString(passwordFile, EXAMPLE_PASSWORD);
        Path config = processes.outputDir().resolve("prometheus.yml");
        Files.writeString(config, String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "  scrape_timeout: 1s",
                "scrape_configs:",
                "  - job_name: dynamo-https",
                "    scheme: https",
                "    tls_config:",
                "      ca_file: " + ca,
                "    basic_auth:",
                "      username: prometheus",
                "      password_file: " + passwordFile,
                "    static_configs:",
                "      - targets: ['127.0.0.1:" + port + "']",
                ""));
        int apiPort = FreePorts.pick();
        ManagedProcess server = processes.start("prometheus", List.of(prometheus.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + processes.outputDir().resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + apiPort), System.getenv());
        awaitQuery(server, apiPort, "up{job=\"dynamo-https\"}", "1");
        awaitQuery(server, apiPort, "count(dynamo_component_uptime_seconds{job=\"dynamo-https\"})", "1");

        assertEquals("CN=server", servedCertificate(port));
        pki.leaf("server-2", "rsa", "ca");
        Files.copy(pki.file("server-2.key"), pki.file("server.key"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(pki.file("server-2.crt"), pki.file("server.crt"), StandardCopyOption.REPLACE_EXISTING);
        Polling.await(Duration.ofSeconds(30), () -> "the replaced certificate is not served: " + app.describe(),
                () -> "CN=server-2".equals(servedCertificate(port)) ? Boolean.TRUE : null);
        assertTrue(curl("--cacert", ca, "-u", "prometheus:" + EXAMPLE_PASSWORD, base + "/metrics").status(200));
        assertTrue(app.isAlive(), app.describe());
    }

    @Test
    void mutualTlsServesOnlyClientsWithACertificateFromItsCa() throws IOException {
        TestPki pki = examplesWithCertificates();
        int port = FreePorts.pick();
        ManagedProcess app = agentWith(pki.file("mtls.yml"), port);
        app.awaitStderr("serving metrics on https://127.0.0.1:" + port + "/metrics", Timeouts.STARTUP);
        String url = "https://127.0.0.1:" + port + "/metrics";
        String ca = pki.file("ca.crt").toString();

        CurlResult withoutCertificate = curl("--cacert", ca, url);
        assertFalse(withoutCertificate.status(200), withoutCertificate.toString());
        assertTrue(withoutCertificate.exit() != 0, withoutCertificate.toString());
        CurlResult stranger = curl("--cacert", ca, "--cert", pki.file("stranger.crt").toString(),
                "--key", pki.file("stranger.key").toString(), url);
        assertTrue(stranger.exit() != 0, "a certificate of another CA is refused: " + stranger);
        CurlResult client = curl("--cacert", ca, "--cert", pki.file("client.crt").toString(),
                "--key", pki.file("client.key").toString(), url);
        assertTrue(client.status(200), client.toString());
        assertTrue(app.isAlive(), app.describe());
    }

    @Test
    void anInvalidWebConfigLeavesTheApplicationRunningWithoutAServer() throws IOException {
        Path webConfig = Files.createDirectories(processes.outputDir()).resolve("web-config.yml");
        Files.writeString(webConfig, "tls_server_config:\n  cert_file: server.crt\n  keyfile: server.key\n");
        int port = FreePorts.pick();
        ManagedProcess app = processes.start(JvmLauncher.demoServer("demo-server", "--port", "0",
                "--max-requests", "1")
                .env("DYN_SYSTEM_PORT", String.valueOf(port))
                .env("DYN_SYSTEM_WEB_CONFIG", webConfig.toString()));

        assertEquals(200, DemoTraffic.post(DemoTraffic.awaitServerPort(app), 1, false));
        assertEquals(0, app.awaitExit(Timeouts.EXIT), app.describe());
        List<String> stderr = app.stderrLines();
        assertEquals(1, stderr.size(), "exactly one line on stderr: " + stderr);
        assertTrue(stderr.get(0).contains("DYN_SYSTEM_WEB_CONFIG=" + webConfig + ": line 3: unknown key 'keyfile'"
                + " in tls_server_config; accepted: cert_file, key_file"), stderr.get(0));
        assertTrue(stderr.get(0).contains("the application runs on"), stderr.get(0));
        assertFalse(FreePorts.isListening(port), "no server, in plain HTTP or otherwise");
    }

    /** The subject of the certificate a new connection gets, read by a client that trusts anything. */
    private static String servedCertificate(int port) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new TrustingClient()}, null);
            try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(
                    InetAddress.getLoopbackAddress(), port)) {
                socket.setSoTimeout(10_000);
                socket.startHandshake();
                return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal()
                        .getName();
            }
        } catch (IOException notYet) {
            throw new UncheckedIOException(notYet);
        } catch (java.security.GeneralSecurityException unexpected) {
            throw new IllegalStateException(unexpected);
        }
    }

    private static void awaitQuery(ManagedProcess prometheus, int port, String query, String expected) {
        String[] last = {"(no answer)"};
        Polling.await(Duration.ofSeconds(90), () -> query + " should give " + expected + "; last answer: " + last[0]
                + "\n" + prometheus.describe(), () -> {
                    try {
                        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                                + URLEncoder.encode(query, StandardCharsets.UTF_8));
                        String body = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET()
                                .build(), HttpResponse.BodyHandlers.ofString()).body();
                        last[0] = body;
                        return body.contains("\"status\":\"success\"") && body.contains(",\"" + expected + "\"]")
                                ? body : null;
                    } catch (IOException notYet) {
                        throw new UncheckedIOException(notYet);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(interrupted);
                    }
                });
    }

    private static final class TrustingClient implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
