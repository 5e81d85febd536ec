package dev.dynamo.agent.internal.server;

import dev.dynamo.agent.internal.config.AgentConfig;
import dev.dynamo.agent.internal.log.AgentLog;
import io.prometheus.client.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server over TLS, with a self-signed certificate made by {@code keytool}. */
class TlsServerTest {
    private static final char[] PASSWORD = "changeit".toCharArray();
    @TempDir
    static Path keys;
    private static SSLContext serverContext;
    private static SSLContext clientContext;

    private SystemServer server;
    private ScrapeRegistry registry;

    @BeforeAll
    static void makeACertificate() throws Exception {
        Path store = keys.resolve("server.p12");
        Path keytool = Paths.get(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "server", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit",
                "-keypass", "changeit").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0, "keytool: " + output);

        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, PASSWORD);
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keyStore, PASSWORD);
        serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keyManagers.getKeyManagers(), null, null);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(keyStore);
        clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, trust.getTrustManagers(), null);
    }

    @BeforeEach
    void startOverTls() throws IOException {
        Map<String, String> env = new HashMap<String, String>();
        env.put("DYN_SYSTEM_PORT", "0");
        env.put("DYN_SYSTEM_HOST", "127.0.0.1");
        registry = new ScrapeRegistry();
        registry.register(new PageOfSize(200_000));
        server = SystemServer.start(AgentConfig.fromEnvironment(env), registry, new HealthStatus(true), () -> { },
                new ServerSecurity() {
                    @Override
                    public SSLContext sslContext() {
                        return serverContext;
                    }

                    @Override
                    public Access access(String path, String authorization) {
                        return Access.ALLOW;
                    }

                    @Override
                    public List<String> responseHeaders() {
                        return Collections.emptyList();
                    }
                });
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private SSLSocket connect() throws IOException {
        SSLSocket socket = (SSLSocket) clientContext.getSocketFactory().createSocket("127.0.0.1", server.port());
        socket.startHandshake();
        return socket;
    }

    @Test
    void servesEveryPathOverTls() throws IOException {
        HttpsURLConnection connection = (HttpsURLConnection) new URL("https://127.0.0.1:" + server.port()
                + "/metrics").openConnection();
        connection.setSSLSocketFactory(clientContext.getSocketFactory());
        connection.setReadTimeout(5000);
        try {
            assertEquals(200, connection.getResponseCode());
            byte[] body = connection.getInputStream().readAllBytes();
            assertTrue(new String(body, StandardCharsets.UTF_8).contains("tls_filler "), "the page arrived");
        } finally {
            connection.disconnect();
        }
    }

    @Test
    void keepsATlsConnectionAcrossScrapesWithOneHandshake() throws IOException {
        try (SSLSocket socket = connect(); RawHttp client = new RawHttp(socket)) {
            byte[] session = socket.getSession().getId();
            for (int i = 0; i < 5; i++) {
                RawHttp.Reply reply = client.send("GET /metrics HTTP/1.1\r\n\r\n").read();
                assertEquals(200, reply.status);
                assertTrue(reply.body.length > 100_000, "a page of many records: " + reply.body.length);
                assertEquals("keep-alive", reply.header("Connection"));
            }
            assertEquals(200, client.send("GET /live HTTP/1.1\r\n\r\n").read().status);
            assertTrue(Arrays.equals(session, socket.getSession().getId()), "one session");
        }
    }

    @Test
    void answersPipelinedRequestsHeldInsideTheTransport() throws IOException {
        try (SSLSocket socket = connect(); RawHttp client = new RawHttp(socket)) {
            client.send("GET /live HTTP/1.1\r\n\r\nGET /health HTTP/1.1\r\n\r\nGET /nothing HTTP/1.1\r\n\r\n");

            assertEquals(200, client.read().status);
            assertEquals(200, client.read().status);
            assertEquals(404, client.read().status);
        }
    }

    /**
     * A TLS 1.3 client's close_notify ends what it sends, not what it reads: requests it pipelined
     * before are answered, then the server's close_notify and the close. Before, the server closed its
     * sending side as the close_notify came, and only the request answered before that got an answer.
     */
    @Test
    void answersThePipelinedRequestsOfAClientThatSentItsCloseNotify() throws IOException {
        try (SSLSocket socket = connect(); RawHttp client = new RawHttp(socket)) {
            StringBuilder requests = new StringBuilder();
            for (int i = 0; i < 40; i++) {
                requests.append("GET /nothing-").append(i).append(" HTTP/1.1\r\n\r\n");
            }
            client.send(requests + "GET /live HTTP/1.1\r\n\r\n");
            socket.shutdownOutput();

            for (int i = 0; i < 40; i++) {
                RawHttp.Reply reply = client.read();
                assertNotNull(reply, "answer " + i + " of 41");
                assertEquals(404, reply.status);
            }
            assertEquals(200, client.read().status);
            assertTrue(client.closedByServer(), "an orderly TLS end of stream");
        }
    }

    @Test
    void closesWithCloseNotifyWhenAskedToClose() throws IOException {
        try (SSLSocket socket = connect(); RawHttp client = new RawHttp(socket)) {
            RawHttp.Reply reply = client.send("GET /live HTTP/1.1\r\nConnection: close\r\n\r\n").read();

            assertEquals("close", reply.header("Connection"));
            assertTrue(client.closedByServer(), "an orderly TLS end of stream");
        }
    }

    /** Plain HTTP on the TLS port is answered in plain HTTP, saying what to use, and the server serves on. */
    @Test
    void answersAPlainTextClientInPlainTextAndServesOn() throws IOException {
        try (Socket plain = new Socket("127.0.0.1", server.port()); RawHttp client = new RawHttp(plain)) {
            RawHttp.Reply reply = client.send("GET /metrics HTTP/1.1\r\n\r\n").read();
            assertEquals(400, reply.status);
            assertTrue(reply.text().contains("this port speaks TLS, and what arrived is not a TLS handshake;"
                    + " use https://"), reply.text());
            assertNotNull(reply.header("Date"), "every answer carries Date, this one too");
            assertTrue(client.closedByServer());
        }
        try (SSLSocket socket = connect(); RawHttp client = new RawHttp(socket)) {
            assertEquals(200, client.send("GET /live HTTP/1.1\r\n\r\n").read().status);
        }
    }

    /**
     * A handshake the server refuses (here: the client offers only suites for an RSA certificate, the
     * server has an EC one) ends with the server's alert, so the client learns why, and is counted and
     * logged once. Before, the server closed the connection without a word: the client saw an end of
     * stream, and the log nothing above debug.
     */
    @Test
    void aRefusedHandshakeGetsTheAlertAndIsCountedOnce() throws IOException {
        for (int attempt = 0; attempt < 2; attempt++) {
            try (SSLSocket socket = (SSLSocket) clientContext.getSocketFactory().createSocket("127.0.0.1",
                    server.port())) {
                socket.setSoTimeout(5000);
                socket.setEnabledProtocols(new String[] {"TLSv1.2"});
                socket.setEnabledCipherSuites(new String[] {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"});
                javax.net.ssl.SSLHandshakeException refused = assertThrows(javax.net.ssl.SSLHandshakeException.class,
                        socket::startHandshake);
                assertTrue(String.valueOf(refused.getMessage()).contains("Received fatal alert"),
                        "the server's alert reached the client: " + refused);
            }
        }
        try (SSLSocket socket = connect(); RawHttp client = new RawHttp(socket)) {
            String page = client.send("GET /metrics?name[]=dynamo_system_server_rejected_requests_total HTTP/1.1\r\n\r\n")
                    .read().text();
            assertTrue(page.contains("reason=\"tls_handshake\",} 2.0"), page);
        }
    }

    /**
     * A TLS 1.3 client built on OpenSSL (curl, Python) that does not trust the server's certificate sends
     * its alert unencrypted, which the engine fails to decrypt: the log names the alert and what it means.
     * Before, it gave the engine's words, "refused a TLS handshake: Insufficient buffer remaining for AEAD
     * cipher fragment (2)..." on JDK 17, "Unexpected exception" on JDK 25 (a re-tester, with curl).
     */
    @Test
    void namesTheAlertOfAClientThatRefusesTheCertificateUnencrypted() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        AgentLog.redirect(new PrintStream(log, true, "UTF-8"));
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5000);
            SSLEngine client = clientContext.createSSLEngine("localhost", server.port());
            client.setUseClientMode(true);
            client.setEnabledProtocols(new String[] {"TLSv1.3"});
            ByteBuffer clientHello = ByteBuffer.allocate(client.getSession().getPacketBufferSize());
            client.wrap(ByteBuffer.allocate(0), clientHello);
            OutputStream out = socket.getOutputStream();
            out.write(clientHello.array(), 0, clientHello.position());
            out.flush();
            InputStream in = socket.getInputStream();
            assertEquals(0x16, in.read(), "the server's handshake records, its keys for the client's records set");

            // An unencrypted fatal alert: unknown_ca, as OpenSSL sends it.
            out.write(new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 48});
            out.flush();
            byte[] rest = new byte[16 * 1024];
            try {
                while (in.read(rest) >= 0) {
                    // Until the server closes.
                }
            } catch (IOException reset) {
                // Closed too.
            }

            String logged = CapturedLog.text(log);
            assertTrue(logged.contains("a client ended the TLS handshake with alert unknown_ca (48): it does not"
                    + " accept the server's certificate"), logged);
            assertTrue(!logged.contains("AEAD") && !logged.contains("Unexpected exception"), logged);
        } finally {
            AgentLog.redirect(null);
        }
        try (SSLSocket socket = connect(); RawHttp client = new RawHttp(socket)) {
            String page = client.send("GET /metrics?name[]=dynamo_system_server_rejected_requests_total HTTP/1.1\r\n\r\n")
                    .read().text();
            assertTrue(page.contains("reason=\"tls_handshake\",} 1.0"), page);
        }
    }

    @Test
    void readsAnUnencryptedAlertRecordOnly() {
        assertEquals(48, TlsTransport.plainAlert(ByteBuffer.wrap(new byte[] {0x15, 3, 3, 0, 2, 2, 48})));
        assertEquals(42, TlsTransport.plainAlert(ByteBuffer.wrap(new byte[] {0x15, 3, 1, 0, 2, 2, 42, 0x16})));
        assertEquals(-1, TlsTransport.plainAlert(ByteBuffer.wrap(new byte[] {0x17, 3, 3, 0, 2, 2, 48})),
                "an encrypted record");
        assertEquals(-1, TlsTransport.plainAlert(ByteBuffer.wrap(new byte[] {0x15, 3, 3, 0, 19, 2, 48})),
                "longer than an alert");
        assertEquals(-1, TlsTransport.plainAlert(ByteBuffer.wrap(new byte[] {0x15, 3, 3, 0, 2, 2})), "cut short");
        assertEquals("unknown_ca", TlsTransport.alertName(48));
        assertEquals("alert_200", TlsTransport.alertName(200));
    }

    /** One gauge family of about {@code bytes} of text. */
    private static final class PageOfSize extends Collector {
        private final int samples;

        PageOfSize(int bytes) {
            this.samples = bytes / 40;
        }

        @Override
        public List<MetricFamilySamples> collect() {
            MetricFamilySamples.Sample[] all = new MetricFamilySamples.Sample[samples];
            for (int i = 0; i < samples; i++) {
                all[i] = new MetricFamilySamples.Sample("tls_filler", Collections.singletonList("i"),
                        Collections.singletonList(Integer.toString(i)), i);
            }
            return Collections.singletonList(new MetricFamilySamples("tls_filler", Type.GAUGE, "filler",
                    Arrays.asList(all)));
        }
    }
}
