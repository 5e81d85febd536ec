package dev.dynamo.agent.internal.webconfig;

import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.agent.internal.server.Access;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WebSecurityTest {
    private static final String PASSWORD_HASH = "$2b$10$N9qo8uLOickgx2ZMRZoMye8fOsiTWZqYtkxvXkKm8BMzjT7t/vIdq";
    private static final String SECRET_HASH = "$2b$10$N9qo8uLOickgx2ZMRZoMyecBPBZPbMY9K9Iy/VaK.7YTHTLYF41De";

    @TempDir
    Path directory;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private long now;
    private long fileTime = 1_700_000_000_000L;

    @BeforeEach
    void captureLog() throws IOException {
        AgentLog.redirect(new PrintStream(log, true, "UTF-8"));
    }

    @AfterEach
    void restoreLog() {
        AgentLog.redirect(null);
    }

    private String logText() {
        return new String(log.toByteArray(), StandardCharsets.UTF_8);
    }

    /** Writes {@code name} with a modification time later than any before, as an editor or a deployment would. */
    private Path write(String name, String... lines) throws IOException {
        Path file = directory.resolve(name);
        Files.write(file, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        fileTime += 10_000;
        Files.setLastModifiedTime(file, FileTime.fromMillis(fileTime));
        return file;
    }

    private WebSecurity load(Path file, boolean liveRequiresAuth) throws WebConfigException {
        return WebSecurity.load(file, "/live", liveRequiresAuth, () -> now);
    }

    private static String basic(String userAndPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    /** The final decision, bcrypt included. */
    private static boolean allowed(WebSecurity security, String path, String authorization) {
        return security.access(path, authorization).verify();
    }

    private void aSecondLater() {
        now += WebSecurity.CHECK_INTERVAL_NANOS;
    }

    @Test
    void asksForCredentialsOnEveryPathButLiveness() throws Exception {
        WebSecurity security = load(write("web.yml", "basic_auth_users:", "  prometheus: " + PASSWORD_HASH), false);

        assertSame(Access.ALLOW, security.access("/live", null));
        Access missing = security.access("/metrics", null);
        assertFalse(missing.pending(), "refused without bcrypt");
        assertFalse(missing.allowed());
        assertEquals("Basic realm=\"dynamo-agent\", charset=\"UTF-8\"", missing.challenge());
        assertFalse(allowed(security, "/health", basic("prometheus:wrong")));
        assertFalse(allowed(security, "/nowhere", null));
        Access first = security.access("/metrics", basic("prometheus:password"));
        assertTrue(first.pending(), "bcrypt runs later, off the selector thread");
        assertTrue(first.verify());
        assertSame(Access.ALLOW, security.access("/metrics", basic("prometheus:password")), "remembered");
        assertEquals("plain HTTP, basic auth (/live open)", security.describe());
    }

    @Test
    void asksForCredentialsOnLivenessWhenConfigured() throws Exception {
        WebSecurity security = load(write("web.yml", "basic_auth_users:", "  prometheus: " + PASSWORD_HASH), true);

        assertFalse(allowed(security, "/live", null));
        assertTrue(allowed(security, "/live", basic("prometheus:password")));
    }

    @Test
    void letsEveryoneInWithoutUsers() throws Exception {
        WebSecurity security = load(write("web.yml", "http_server_config:", "  headers:",
                "    X-Content-Type-Options: nosniff"), false);

        assertTrue(allowed(security, "/metrics", null));
        assertEquals("nosniff", security.headers().get("X-Content-Type-Options"));
        assertEquals(java.util.Arrays.asList("X-Content-Type-Options", "nosniff"), security.responseHeaders());
        assertSame(Access.ALLOW, security.access("/metrics", null));
        assertNull(security.sslContext());
        assertFalse(security.tlsEnabled());
    }

    @Test
    void reloadsUsersAndHeadersAtMostOnceASecond() throws Exception {
        Path file = write("web.yml", "basic_auth_users:", "  prometheus: " + PASSWORD_HASH);
        WebSecurity security = load(file, false);
        write("web.yml", "http_server_config:", "  headers:", "    X-Frame-Options: deny",
                "basic_auth_users:", "  prometheus: " + SECRET_HASH);

        assertTrue(allowed(security, "/metrics", basic("prometheus:password")), "not yet checked");
        aSecondLater();

        assertFalse(allowed(security, "/metrics", basic("prometheus:password")));
        assertTrue(allowed(security, "/metrics", basic("prometheus:secret")));
        assertEquals("deny", security.headers().get("X-Frame-Options"));
    }

    /**
     * A touched file or a rotated certificate reloads the configuration; it made every client pay a bcrypt again,
     * and during a flood of wrong passwords Prometheus was answered 503 (a re-tester). What was remembered stays,
     * for the users whose hash did not change.
     */
    @Test
    void aReloadKeepsTheRememberedLoginsOfUnchangedHashesAndForgetsChangedOnes() throws Exception {
        Path file = write("web.yml", "basic_auth_users:", "  prometheus: " + PASSWORD_HASH, "  other: " + PASSWORD_HASH,
                "  third: " + PASSWORD_HASH);
        WebSecurity security = load(file, false);
        assertTrue(allowed(security, "/metrics", basic("prometheus:password")));
        assertTrue(allowed(security, "/metrics", basic("other:password")));
        Access checkedDuringTheReload = security.access("/metrics", basic("third:password"));

        write("web.yml", "basic_auth_users:", "  prometheus: " + PASSWORD_HASH, "  other: " + SECRET_HASH,
                "  third: " + PASSWORD_HASH);
        aSecondLater();

        assertSame(Access.ALLOW, security.access("/metrics", basic("prometheus:password")), "still remembered");
        assertTrue(checkedDuringTheReload.verify());
        assertSame(Access.ALLOW, security.access("/metrics", basic("third:password")),
                "a check of the configuration before, passed after the reload, is remembered too");
        Access changed = security.access("/metrics", basic("other:password"));
        assertTrue(changed.pending(), "a changed hash is checked again");
        assertFalse(changed.verify());
        assertTrue(allowed(security, "/metrics", basic("other:secret")), "the reloaded hash");
    }

    /** A re-tester's login queued behind a flood was let in 6.8 s after the removal of its user had been loaded. */
    @Test
    void aCheckThatPassesAfterAReloadRemovedItsUserOrChangedItsHashDoesNotLetTheRequestIn() throws Exception {
        Path file = write("web.yml", "basic_auth_users:", "  bob: " + PASSWORD_HASH, "  carol: " + PASSWORD_HASH,
                "  prometheus: " + PASSWORD_HASH);
        WebSecurity security = load(file, false);
        Access bobQueued = security.access("/metrics", basic("bob:password"));
        Access carolQueued = security.access("/metrics", basic("carol:password"));
        Access prometheusQueued = security.access("/metrics", basic("prometheus:password"));

        write("web.yml", "basic_auth_users:", "  carol: " + SECRET_HASH, "  prometheus: " + PASSWORD_HASH);
        aSecondLater();
        security.access("/metrics", null);

        assertFalse(bobQueued.verify(), "bob was removed while his check waited");
        assertFalse(carolQueued.verify(), "carol's hash changed while her check waited");
        assertTrue(prometheusQueued.verify(), "an unchanged user's check still lets the request in");
        assertFalse(allowed(security, "/metrics", basic("bob:password")));
    }

    @Test
    void warnsOfAUserWhoseCostMakesChecksTooSlow() throws Exception {
        String costly = "$2b$13$" + PASSWORD_HASH.substring(7);
        load(write("web.yml", "basic_auth_users:", "  prometheus: " + PASSWORD_HASH, "  backup: " + costly), false);

        String text = logText();
        assertTrue(text.contains("WARN") && text.contains("user 'backup' has bcrypt cost 13: a check of it takes 8 times"
                + " one of cost 10"), text);
        assertFalse(text.contains("user 'prometheus'"), text);
    }

    @Test
    void keepsTheLastGoodConfigurationWhenAChangeIsBrokenAndSaysSoOnce() throws Exception {
        Path file = write("web.yml", "basic_auth_users:", "  prometheus: " + PASSWORD_HASH);
        WebSecurity security = load(file, false);
        write("web.yml", "basic_auth_users:", "  prometheus: not-a-hash");

        for (int i = 0; i < 3; i++) {
            aSecondLater();
            assertTrue(allowed(security, "/metrics", basic("prometheus:password")));
        }
        String text = logText();
        assertEquals(1, text.split("changed but cannot be used", -1).length - 1, text);
        assertTrue(text.contains("line 2: basic_auth_users.prometheus is not a bcrypt hash"), text);

        write("web.yml", "basic_auth_users:", "  prometheus: " + SECRET_HASH);
        aSecondLater();
        assertTrue(allowed(security, "/metrics", basic("prometheus:secret")));
    }

    @Test
    void servesAReplacedCertificateToNewConnections() throws Exception {
        TestPki pki = new TestPki(directory).leaf("first", "ec", null);
        Files.copy(pki.file("first.pem"), directory.resolve("server.pem"));
        Files.copy(pki.file("first.key"), directory.resolve("server.key"));
        Path file = write("web.yml", "tls_server_config:", "  cert_file: server.pem", "  key_file: server.key");
        WebSecurity security = load(file, false);
        assertTrue(security.tlsEnabled());
        assertEquals("CN=first", servedCertificate(security));

        pki.leaf("second", "rsa", null);
        replace("second.pem", "server.pem");
        replace("second.key", "server.key");
        aSecondLater();

        assertEquals("CN=second", servedCertificate(security));
    }

    @Test
    void keepsTlsWhenAChangeWouldTurnItOff() throws Exception {
        TestPki pki = new TestPki(directory).leaf("server", "ec", null);
        Path file = write("web.yml", "tls_server_config:", "  cert_file: server.pem", "  key_file: server.key");
        WebSecurity security = load(file, false);
        write("web.yml", "basic_auth_users:", "  prometheus: " + PASSWORD_HASH);
        aSecondLater();

        assertEquals("CN=server", servedCertificate(security));
        assertTrue(logText().contains("it now turns TLS off, which needs a restart"), logText());
        assertTrue(pki.file("server.pem").toFile().exists());
    }

    @Test
    void failsToLoadWithTheLineOfTheMistake() throws Exception {
        Path file = write("web.yml", "tls_server_config:", "  cert_file: server.pem", "  keyfile: server.key");

        WebConfigException refused = assertThrows(WebConfigException.class, () -> load(file, false));
        assertTrue(refused.getMessage().startsWith("line 3: unknown key 'keyfile' in tls_server_config"),
                refused.getMessage());
    }

    private void replace(String source, String target) throws IOException {
        Files.copy(directory.resolve(source), directory.resolve(target),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        fileTime += 10_000;
        Files.setLastModifiedTime(directory.resolve(target), FileTime.fromMillis(fileTime));
    }

    /** The subject of the certificate a new connection is served, read by a client that trusts anything. */
    private static String servedCertificate(WebSecurity security) throws Exception {
        ExecutorService serverThread = Executors.newSingleThreadExecutor();
        try (SSLServerSocket server = (SSLServerSocket) security.sslContext().getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSSLParameters(security.sslParameters());
            Future<?> accepted = serverThread.submit(() -> {
                try (SSLSocket socket = (SSLSocket) server.accept()) {
                    socket.startHandshake();
                    socket.getOutputStream().write('1');
                }
                return null;
            });
            SSLContext client = SSLContext.getInstance("TLS");
            client.init(null, new TrustManager[] {new TrustingClient()}, null);
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(
                    InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                socket.setSoTimeout(10_000);
                socket.startHandshake();
                socket.getInputStream().read();
                accepted.get(10, TimeUnit.SECONDS);
                return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal()
                        .getName();
            }
        } finally {
            serverThread.shutdownNow();
        }
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
