package dev.dynamo.agent.internal.webconfig;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** The {@code tls_server_config} section of a web configuration file, checked for form but not yet loaded. */
final class TlsSettings {
    /** {@code client_auth_type}: whether a client certificate is asked for, required and verified. */
    enum ClientAuth {
        NO_CLIENT_CERT("NoClientCert", false, false, false),
        REQUEST_CLIENT_CERT("RequestClientCert", true, false, false),
        REQUIRE_ANY_CLIENT_CERT("RequireAnyClientCert", true, true, false),
        VERIFY_CLIENT_CERT_IF_GIVEN("VerifyClientCertIfGiven", true, false, true),
        REQUIRE_AND_VERIFY_CLIENT_CERT("RequireAndVerifyClientCert", true, true, true);

        static final String ACCEPTED = "NoClientCert, RequestClientCert, RequireAnyClientCert,"
                + " VerifyClientCertIfGiven or RequireAndVerifyClientCert";

        final String configName;
        final boolean asks;
        final boolean requires;
        final boolean verifies;

        ClientAuth(String configName, boolean asks, boolean requires, boolean verifies) {
            this.configName = configName;
            this.asks = asks;
            this.requires = requires;
            this.verifies = verifies;
        }

        static ClientAuth named(String name) {
            for (ClientAuth type : values()) {
                if (type.configName.equals(name)) {
                    return type;
                }
            }
            // The exporter toolkit's older name for RequireAnyClientCert.
            return "RequireClientCert".equals(name) ? REQUIRE_ANY_CLIENT_CERT : null;
        }
    }

    /** {@code min_version} and {@code max_version}, with the JDK's protocol names. */
    enum TlsVersion {
        TLS10("TLSv1"), TLS11("TLSv1.1"), TLS12("TLSv1.2"), TLS13("TLSv1.3");

        static final String ACCEPTED = "TLS10, TLS11, TLS12 or TLS13";

        final String protocol;

        TlsVersion(String protocol) {
            this.protocol = protocol;
        }

        static TlsVersion named(String name) {
            for (TlsVersion version : values()) {
                if (version.name().equals(name)) {
                    return version;
                }
            }
            return null;
        }
    }

    /**
     * The cipher suites Go's {@code tls.CipherSuites()} names, which the exporter toolkit accepts.
     * Go and the JDK both use the IANA names, so a name is also the JDK's name for the suite.
     */
    static final List<String> GO_CIPHER_SUITES = Collections.unmodifiableList(Arrays.asList(
            "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA",
            "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"));

    /** Go's names of {@code curve_preferences} and the JDK's names of the same named groups. */
    static final List<String> GO_CURVES = Collections.unmodifiableList(Arrays.asList(
            "CurveP256", "CurveP384", "CurveP521", "X25519"));
    static final List<String> JDK_GROUPS = Collections.unmodifiableList(Arrays.asList(
            "secp256r1", "secp384r1", "secp521r1", "x25519"));

    final Path certFile;
    final Path keyFile;
    final Path clientCaFile;
    final ClientAuth clientAuth;
    final TlsVersion minVersion;
    final TlsVersion maxVersion;
    /** JDK names, in the configured order; empty for the JVM's defaults. */
    final List<String> cipherSuites;
    final boolean preferServerCipherSuites;
    /** JDK named-group names, in the configured order; empty for the JVM's defaults. */
    final List<String> namedGroups;

    TlsSettings(Path certFile, Path keyFile, Path clientCaFile, ClientAuth clientAuth, TlsVersion minVersion,
            TlsVersion maxVersion, List<String> cipherSuites, boolean preferServerCipherSuites,
            List<String> namedGroups) {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.clientCaFile = clientCaFile;
        this.clientAuth = clientAuth;
        this.minVersion = minVersion;
        this.maxVersion = maxVersion;
        this.cipherSuites = Collections.unmodifiableList(cipherSuites);
        this.preferServerCipherSuites = preferServerCipherSuites;
        this.namedGroups = Collections.unmodifiableList(namedGroups);
    }
}
