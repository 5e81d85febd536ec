package dev.dynamo.agent.internal.webconfig;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerTlsTest {
    @TempDir
    static Path directory;
    private static TestPki pki;

    @BeforeAll
    static void makeCertificates() throws IOException {
        pki = new TestPki(directory).authority("ca").authority("other-ca")
                .leaf("server", "ec", "ca")
                .leaf("client", "ec", "ca")
                .leaf("stranger", "ec", "other-ca");
    }

    private static ServerTls tls(String... extraLines) throws WebConfigException {
        StringBuilder text = new StringBuilder("tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n");
        for (String line : extraLines) {
            text.append("  ").append(line).append('\n');
        }
        return ServerTls.load(WebConfig.parse(text.toString(), directory.resolve("web.yml")).tls);
    }

    /**
     * Presents the client certificate whichever CAs the server names, as curl and Go do, so that
     * the server's own verification is what is tested.
     */
    private static final class AlwaysPresent extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager keys;

        AlwaysPresent(X509ExtendedKeyManager keys) {
            this.keys = keys;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return "client";
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return "client";
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {"client"};
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return keys.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return keys.getPrivateKey(alias);
        }
    }

    /** A client that trusts the test CA and presents the named certificate, or none for null. */
    private static SSLContext client(String certificate, String... protocols) throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("ca", PemFiles.certificates(pki.file("ca.pem"), "ca").get(0));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        KeyManagerFactory keys = null;
        if (certificate != null) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            List<X509Certificate> chain = PemFiles.certificates(pki.file(certificate + ".pem"), "cert");
            store.setKeyEntry("client", PemFiles.privateKey(pki.file(certificate + ".key"), "key"),
                    "x".toCharArray(), chain.toArray(new X509Certificate[0]));
            keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, "x".toCharArray());
        }
        SSLContext context = SSLContext.getInstance("TLS");
        KeyManager[] keyManagers = keys == null ? null
                : new KeyManager[] {new AlwaysPresent((X509ExtendedKeyManager) keys.getKeyManagers()[0])};
        context.init(keyManagers, trust.getTrustManagers(), null);
        return context;
    }

    /** Connects {@code client} to a server using {@code tls}; the server's outcome: the protocol, or the failure. */
    private static String connect(ServerTls tls, SSLContext client, String... clientProtocols) throws Exception {
        return connect(tls, client, 1, clientProtocols).get(0);
    }

    /**
     * Connects {@code client} {@code times} times to one server using {@code tls}; for each connection the
     * server's outcome: the protocol, the client's certificate and the session id, or the failure.
     */
    private static List<String> connect(ServerTls tls, SSLContext client, int times, String... clientProtocols)
            throws Exception {
        ExecutorService serverThread = Executors.newSingleThreadExecutor();
        List<String> outcomes = new ArrayList<String>();
        try (SSLServerSocket server = (SSLServerSocket) tls.context().getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSSLParameters(tls.parameters());
            for (int i = 0; i < times; i++) {
                Future<String> outcome = serverThread.submit(() -> accept(server));
                try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(
                        InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                    socket.setSoTimeout(10_000);
                    if (clientProtocols.length > 0) {
                        socket.setEnabledProtocols(clientProtocols);
                    }
                    socket.startHandshake();
                    socket.getInputStream().read();
                } catch (IOException clientSide) {
                    // The server's outcome says why.
                }
                outcomes.add(outcome.get(20, TimeUnit.SECONDS));
            }
            return outcomes;
        } finally {
            serverThread.shutdownNow();
        }
    }

    private static String accept(SSLServerSocket server) throws IOException {
        try (SSLSocket accepted = (SSLSocket) server.accept()) {
            accepted.setSoTimeout(10_000);
            accepted.startHandshake();
            accepted.getOutputStream().write('1');
            accepted.getOutputStream().flush();
            String peer = "no client certificate";
            try {
                peer = ((X509Certificate) accepted.getSession().getPeerCertificates()[0])
                        .getSubjectX500Principal().getName();
            } catch (SSLPeerUnverifiedException none) {
                // Reported as such.
            }
            return accepted.getSession().getProtocol() + " " + peer + " session="
                    + Base64.getEncoder().encodeToString(accepted.getSession().getId()) + " created="
                    + accepted.getSession().getCreationTime();
        } catch (IOException failed) {
            return "failed: " + failed.getMessage();
        }
    }

    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource({
            "NoClientCert, none, TLSv1.3 no client certificate",
            "NoClientCert, client, TLSv1.3 no client certificate",
            "RequestClientCert, none, TLSv1.3 no client certificate",
            "RequestClientCert, stranger, TLSv1.3 CN=stranger",
            "RequireAnyClientCert, none, failed",
            "RequireAnyClientCert, stranger, TLSv1.3 CN=stranger",
            "VerifyClientCertIfGiven, none, TLSv1.3 no client certificate",
            "VerifyClientCertIfGiven, client, TLSv1.3 CN=client",
            "VerifyClientCertIfGiven, stranger, failed",
            "RequireAndVerifyClientCert, none, failed",
            "RequireAndVerifyClientCert, client, TLSv1.3 CN=client",
            "RequireAndVerifyClientCert, stranger, failed"})
    void appliesEachClientAuthType(String type, String clientCertificate, String expected) throws Exception {
        ServerTls tls = type.equals("NoClientCert") ? tls("client_auth_type: " + type)
                : tls("client_auth_type: " + type, "client_ca_file: ca.pem");

        String outcome = connect(tls, client(clientCertificate.equals("none") ? null : clientCertificate));

        assertTrue(outcome.startsWith(expected), outcome);
    }

    @Test
    void honoursMinAndMaxVersion() throws Exception {
        assertTrue(connect(tls("max_version: TLS12"), client(null)).startsWith("TLSv1.2"));
        assertTrue(connect(tls("min_version: TLS13"), client(null), "TLSv1.2").startsWith("failed"));
        assertTrue(connect(tls("min_version: TLS13"), client(null), "TLSv1.3").startsWith("TLSv1.3"));
    }

    @Test
    void enablesTheConfiguredTls12SuitesAndKeepsTls13Working() throws Exception {
        ServerTls tls = tls("cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]");
        List<String> enabled = Arrays.asList(tls.parameters().getCipherSuites());

        assertTrue(enabled.contains("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"), enabled.toString());
        assertTrue(!enabled.contains("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"), enabled.toString());
        assertTrue(enabled.contains("TLS_AES_128_GCM_SHA256"), enabled.toString());
        assertTrue(connect(tls, client(null), "TLSv1.2").startsWith("TLSv1.2"));
        assertTrue(connect(tls, client(null), "TLSv1.3").startsWith("TLSv1.3"));
    }

    @ParameterizedTest
    @CsvSource({"TLSv1.2", "TLSv1.3"})
    void resumesTheSessionOnTheNextConnection(String protocol) throws Exception {
        ServerTls tls = tls();
        List<String> outcomes = connect(tls, client(null), 3, protocol);
        Thread.sleep(5);
        String otherClient = connect(tls, client(null), protocol);

        assertTrue(outcomes.get(0).startsWith(protocol), outcomes.toString());
        // A resumed session keeps the time the full handshake created it (TLS 1.3 also gives it a new id).
        assertEquals(created(outcomes.get(0)), created(outcomes.get(1)));
        assertEquals(created(outcomes.get(0)), created(outcomes.get(2)));
        assertTrue(!created(outcomes.get(0)).equals(created(otherClient)), otherClient);
    }

    private static String created(String outcome) {
        return outcome.substring(outcome.indexOf("created="));
    }

    @Test
    void handsOutEnginesConfiguredForTheServerSide() throws Exception {
        ServerTls tls = tls("client_auth_type: RequireAndVerifyClientCert", "client_ca_file: ca.pem",
                "min_version: TLS13");
        javax.net.ssl.SSLEngine engine = tls.context().createSSLEngine("127.0.0.1", 1234);

        assertTrue(!engine.getUseClientMode());
        assertTrue(engine.getNeedClientAuth());
        assertEquals(Arrays.asList("TLSv1.3"), Arrays.asList(engine.getEnabledProtocols()));
        assertTrue(tls.context().getDefaultSSLParameters().getNeedClientAuth());
    }

    @Test
    void setsCurvesWhereTheJvmCanAndSaysSoWhereItCannot() throws Exception {
        ServerTls tls = tls("curve_preferences: [CurveP384, CurveP256]");
        SSLParameters parameters = tls.parameters();
        boolean perServer = Runtime.version().feature() >= 20;

        if (perServer) {
            Object groups = SSLParameters.class.getMethod("getNamedGroups").invoke(parameters);
            assertEquals(Arrays.asList("secp384r1", "secp256r1"), Arrays.asList((String[]) groups));
            assertTrue(tls.notes.isEmpty(), tls.notes.toString());
        } else {
            assertEquals(1, tls.notes.size(), tls.notes.toString());
            assertTrue(tls.notes.get(0).contains("curve_preferences needs Java 20 or later"), tls.notes.get(0));
        }
        assertTrue(connect(tls, client(null)).startsWith("TLSv1.3"));
    }

    @Test
    void setsTheServerPreferenceForSuites() throws Exception {
        assertTrue(tls().parameters().getUseCipherSuitesOrder());
        assertTrue(!tls("prefer_server_cipher_suites: false").parameters().getUseCipherSuitesOrder());
    }

    @Test
    void saysWhenTheServerCertificateIsExpiredOrNotYetValid() throws Exception {
        java.security.cert.X509Certificate certificate =
                PemFiles.certificates(directory.resolve("server.pem"), "cert_file").get(0);
        long day = 24L * 60 * 60 * 1000;

        assertEquals(null, ServerTls.validityProblem(certificate, new java.util.Date()));
        assertTrue(tls().warnings.isEmpty(), "a valid certificate: no warning");
        String expired = ServerTls.validityProblem(certificate, new java.util.Date(System.currentTimeMillis() + 5 * day));
        assertTrue(expired.startsWith("expired on " + certificate.getNotAfter().toInstant()), expired);
        String early = ServerTls.validityProblem(certificate, new java.util.Date(System.currentTimeMillis() - 5 * day));
        assertTrue(early.startsWith("is not valid before "), early);
    }

    @Test
    void refusesAKeyFileThatIsNotTheCertificatesKey() {
        WebConfigException refused = assertThrows(WebConfigException.class, () -> ServerTls.load(WebConfig.parse(
                "tls_server_config:\n  cert_file: server.pem\n  key_file: client.key\n", directory.resolve("w.yml"))
                .tls));

        assertTrue(refused.getMessage().contains("does not match the certificate in cert_file"),
                refused.getMessage());
    }
}
