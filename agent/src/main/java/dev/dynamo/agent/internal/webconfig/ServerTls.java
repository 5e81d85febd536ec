package dev.dynamo.agent.internal.webconfig;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import java.lang.reflect.Method;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;

/**
 * The loaded TLS side of a web configuration: an {@link SSLContext} with the server's key and
 * certificate chain, the client-certificate policy, and the protocol versions, cipher suites and
 * curves to enable on each connection. One instance serves until the files change; keeping the
 * context keeps its session cache, so clients resume sessions instead of repeating full handshakes.
 */
final class ServerTls {
    private static final char[] IN_MEMORY_PASSWORD = "dynamo".toCharArray();

    final TlsSettings settings;
    private final SSLContext context;
    private final SSLContext configured;
    private final String[] protocols;
    /** Null for the JVM's default cipher suites. */
    private final String[] cipherSuites;
    /** Null when no curves are configured or this JVM cannot set them per connection. */
    private final String[] namedGroups;
    final List<String> notes;
    /** What clients will refuse (an expired certificate): logged at warn. */
    final List<String> warnings;

    private ServerTls(TlsSettings settings, SSLContext context, String[] protocols, String[] cipherSuites,
            String[] namedGroups, List<String> notes, List<String> warnings) {
        this.settings = settings;
        this.context = context;
        this.protocols = protocols;
        this.cipherSuites = cipherSuites;
        this.namedGroups = namedGroups;
        this.notes = notes;
        this.warnings = warnings;
        this.configured = new ConfiguredSslContext(context, this::parameters);
    }

    /**
     * Reads the key, the certificates and the client CAs, and builds the context.
     *
     * @throws WebConfigException naming the file or setting that cannot be used
     */
    static ServerTls load(TlsSettings settings) throws WebConfigException {
        List<X509Certificate> chain = PemFiles.certificates(settings.certFile, "cert_file");
        PrivateKey key = PemFiles.privateKey(settings.keyFile, "key_file");
        PemFiles.checkPair(key, chain.get(0), settings.keyFile, settings.certFile);
        List<X509Certificate> clientCas = settings.clientCaFile == null ? null
                : PemFiles.certificates(settings.clientCaFile, "client_ca_file");
        List<String> notes = new ArrayList<String>();
        List<String> warnings = new ArrayList<String>();
        String validity = validityProblem(chain.get(0), new Date());
        if (validity != null) {
            warnings.add("cert_file " + settings.certFile + ": the server certificate " + validity
                    + "; clients that verify it refuse every connection. Replace the file: it is read again when it"
                    + " changes");
        }
        try {
            KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
            keys.load(null, null);
            keys.setKeyEntry("server", key, IN_MEMORY_PASSWORD, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, IN_MEMORY_PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trustManagers(settings.clientAuth, clientCas), null);
            SSLParameters supported = context.getSupportedSSLParameters();
            String[] protocols = protocols(settings, supported.getProtocols());
            String[] suites = cipherSuites(settings, supported.getCipherSuites(),
                    context.getDefaultSSLParameters().getCipherSuites());
            String[] groups = null;
            if (!settings.namedGroups.isEmpty()) {
                if (namedGroupsSetter() != null) {
                    groups = settings.namedGroups.toArray(new String[0]);
                } else {
                    notes.add("tls_server_config.curve_preferences needs Java 20 or later to be set per server;"
                            + " this JVM (" + System.getProperty("java.version") + ") uses its default curves");
                }
            }
            return new ServerTls(settings, context, protocols, suites, groups, notes, warnings);
        } catch (GeneralSecurityException | java.io.IOException failed) {
            throw new WebConfigException("cannot build the TLS context: " + failed, failed);
        }
    }

    private static String[] protocols(TlsSettings settings, String[] supported) throws WebConfigException {
        List<String> available = Arrays.asList(supported);
        List<String> enabled = new ArrayList<String>();
        for (TlsSettings.TlsVersion version : TlsSettings.TlsVersion.values()) {
            if (version.compareTo(settings.minVersion) >= 0 && version.compareTo(settings.maxVersion) <= 0
                    && available.contains(version.protocol)) {
                enabled.add(version.protocol);
            }
        }
        if (enabled.isEmpty()) {
            throw new WebConfigException("this JVM supports none of the TLS versions from min_version "
                    + settings.minVersion.name() + " to max_version " + settings.maxVersion.name() + " (it supports "
                    + available + ")");
        }
        return enabled.toArray(new String[0]);
    }

    /**
     * The configured suites, which as in Go apply to TLS 1.2 and below, followed by the JVM's
     * default TLS 1.3 suites, which Go does not let a configuration change either.
     */
    private static String[] cipherSuites(TlsSettings settings, String[] supported, String[] defaults)
            throws WebConfigException {
        if (settings.cipherSuites.isEmpty()) {
            return null;
        }
        List<String> available = Arrays.asList(supported);
        List<String> enabled = new ArrayList<String>();
        for (String suite : settings.cipherSuites) {
            if (!available.contains(suite)) {
                throw new WebConfigException("tls_server_config.cipher_suites: " + suite + " is not supported by"
                        + " this JVM (Java " + System.getProperty("java.version") + "); remove it or use a newer JVM");
            }
            if (!isTls13Suite(suite)) {
                enabled.add(suite);
            }
        }
        for (String suite : defaults) {
            if (isTls13Suite(suite) && !enabled.contains(suite)) {
                enabled.add(suite);
            }
        }
        return enabled.toArray(new String[0]);
    }

    private static boolean isTls13Suite(String suite) {
        return suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20_");
    }

    /** Why {@code certificate} is not valid at {@code now} ("expired on ..."), or null when it is. */
    static String validityProblem(X509Certificate certificate, Date now) {
        if (now.after(certificate.getNotAfter())) {
            return "expired on " + certificate.getNotAfter().toInstant();
        }
        if (now.before(certificate.getNotBefore())) {
            return "is not valid before " + certificate.getNotBefore().toInstant();
        }
        return null;
    }

    private static TrustManager[] trustManagers(TlsSettings.ClientAuth clientAuth, List<X509Certificate> clientCas)
            throws GeneralSecurityException, java.io.IOException {
        if (!clientAuth.asks) {
            return null;
        }
        X509Certificate[] issuers = clientCas == null ? new X509Certificate[0]
                : clientCas.toArray(new X509Certificate[0]);
        if (!clientAuth.verifies) {
            return new TrustManager[] {new AnyClientCertificate(issuers)};
        }
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        for (int i = 0; i < issuers.length; i++) {
            trusted.setCertificateEntry("client-ca-" + i, issuers[i]);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trusted);
        return factory.getTrustManagers();
    }

    /** A server-side engine for a new connection, configured with this file's settings. */
    SSLEngine newEngine(String peerHost, int peerPort) {
        return peerHost == null ? configured.createSSLEngine() : configured.createSSLEngine(peerHost, peerPort);
    }

    /** The context; its engines come in server mode with {@link #parameters()} applied. */
    SSLContext context() {
        return configured;
    }

    /** The per-connection settings: versions, suites, their order, curves and the client-certificate policy. */
    SSLParameters parameters() {
        SSLParameters parameters = context.getDefaultSSLParameters();
        parameters.setProtocols(protocols);
        if (cipherSuites != null) {
            parameters.setCipherSuites(cipherSuites);
        }
        parameters.setUseCipherSuitesOrder(settings.preferServerCipherSuites);
        if (settings.clientAuth.requires) {
            parameters.setNeedClientAuth(true);
        } else if (settings.clientAuth.asks) {
            parameters.setWantClientAuth(true);
        }
        if (namedGroups != null) {
            try {
                namedGroupsSetter().invoke(parameters, (Object) namedGroups);
            } catch (ReflectiveOperationException | RuntimeException unsupported) {
                // Checked when loaded; the JVM's default curves remain.
            }
        }
        return parameters;
    }

    /** {@code SSLParameters.setNamedGroups}, added in Java 20; null before. */
    private static Method namedGroupsSetter() {
        try {
            return SSLParameters.class.getMethod("setNamedGroups", String[].class);
        } catch (NoSuchMethodException olderJava) {
            return null;
        }
    }

    /**
     * Accepts any client certificate, for RequestClientCert and RequireAnyClientCert, which ask for
     * a certificate without verifying it (the application may inspect it); still advertises the
     * configured CAs so clients pick the right certificate.
     */
    private static final class AnyClientCertificate extends X509ExtendedTrustManager implements X509TrustManager {
        private final X509Certificate[] issuers;

        AnyClientCertificate(X509Certificate[] issuers) {
            this.issuers = issuers;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("no client certificate");
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("this trust manager only checks clients");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return issuers.clone();
        }
    }
}
