package dev.dynamo.agent.internal.webconfig;

import dev.dynamo.agent.internal.SettingFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class WebConfigTest {
    private static final Path FILE = Paths.get("/etc/dynamo/web-config.yml");
    private static final String HASH = "$2b$10$N9qo8uLOickgx2ZMRZoMye8fOsiTWZqYtkxvXkKm8BMzjT7t/vIdq";

    private static WebConfig parse(String... lines) throws WebConfigException {
        return WebConfig.parse(String.join("\n", lines) + "\n", FILE);
    }

    private static String error(String... lines) {
        return assertThrows(WebConfigException.class, () -> parse(lines)).getMessage();
    }

    @Test
    void refusesANamedPipeOrADeviceWithoutBlockingOrFillingTheHeap(@TempDir Path directory) throws Exception {
        Path pipe = directory.resolve("web-config.yml");
        assumeTrue(new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor() == 0, "needs mkfifo");
        assumeTrue(Files.exists(Paths.get("/dev/zero")), "needs /dev/zero");

        for (Path unusable : Arrays.asList(pipe, Paths.get("/dev/zero"))) {
            String message = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> assertThrows(WebConfigException.class, () -> WebConfig.read(unusable)).getMessage());
            assertEquals("cannot read it: it is not a regular file (a named pipe, device or socket); give the path"
                    + " of a web configuration file (a regular YAML file of at most"
                    + " 1 MiB)", message);
        }
    }

    @Test
    void refusesAFileOverTheSizeBound(@TempDir Path directory) throws Exception {
        Path large = directory.resolve("web-config.yml");
        Files.write(large, new byte[SettingFiles.MAX_BYTES + 1]);

        String message = assertThrows(WebConfigException.class, () -> WebConfig.read(large)).getMessage();

        assertTrue(message.startsWith("cannot read it: it is larger than 1 MiB (1048576 bytes)"), message);
    }

    @Test
    void readsEveryKeyOfTheFormat() throws WebConfigException {
        WebConfig config = parse(
                "# TLS, mTLS and basic auth",
                "tls_server_config:",
                "  cert_file: server.crt   # relative to this file",
                "  key_file: \"/etc/keys/server.key\"",
                "  client_auth_type: RequireAndVerifyClientCert",
                "  client_ca_file: 'ca.pem'",
                "  min_version: TLS12",
                "  max_version: TLS13",
                "  cipher_suites:",
                "  - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                "  - TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
                "  prefer_server_cipher_suites: false",
                "  curve_preferences: [X25519, CurveP256]",
                "http_server_config:",
                "  http2: true",
                "  headers:",
                "    Strict-Transport-Security: max-age=31536000",
                "    X-Frame-Options: deny",
                "basic_auth_users:",
                "  prometheus: " + HASH,
                "  \"ops team\": '" + HASH + "'");

        TlsSettings tls = config.tls;
        assertEquals(Paths.get("/etc/dynamo/server.crt"), tls.certFile);
        assertEquals(Paths.get("/etc/keys/server.key"), tls.keyFile);
        assertEquals(Paths.get("/etc/dynamo/ca.pem"), tls.clientCaFile);
        assertEquals(TlsSettings.ClientAuth.REQUIRE_AND_VERIFY_CLIENT_CERT, tls.clientAuth);
        assertEquals(TlsSettings.TlsVersion.TLS12, tls.minVersion);
        assertEquals(TlsSettings.TlsVersion.TLS13, tls.maxVersion);
        assertEquals(Arrays.asList("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
                tls.cipherSuites);
        assertFalse(tls.preferServerCipherSuites);
        assertEquals(Arrays.asList("x25519", "secp256r1"), tls.namedGroups);
        assertEquals("max-age=31536000", config.headers.get("Strict-Transport-Security"));
        assertEquals("deny", config.headers.get("X-Frame-Options"));
        assertEquals(HASH, config.users.get("prometheus"));
        assertEquals(HASH, config.users.get("ops team"));
        assertEquals(1, config.notes.size());
        assertTrue(config.notes.get(0).contains("http2"), config.notes.toString());
    }

    @Test
    void defaultsLikeTheExporterToolkit() throws WebConfigException {
        TlsSettings tls = parse("tls_server_config:", "  cert_file: a.crt", "  key_file: a.key").tls;

        assertEquals(TlsSettings.ClientAuth.NO_CLIENT_CERT, tls.clientAuth);
        assertEquals(TlsSettings.TlsVersion.TLS12, tls.minVersion);
        assertEquals(TlsSettings.TlsVersion.TLS13, tls.maxVersion);
        assertTrue(tls.cipherSuites.isEmpty());
        assertTrue(tls.preferServerCipherSuites);
        assertTrue(tls.namedGroups.isEmpty());
    }

    @Test
    void configuresNoTlsWithoutTlsKeys() throws WebConfigException {
        WebConfig config = parse("basic_auth_users:", "  alice: " + HASH);

        assertNull(config.tls);
        assertEquals(Collections.singletonMap("alice", HASH), config.users);
    }

    @Test
    void acceptsAnEmptyFileAndEmptySections() throws WebConfigException {
        assertNull(parse("# nothing yet").tls);
        WebConfig empty = parse("---", "tls_server_config:", "http_server_config: {}", "basic_auth_users:");
        assertNull(empty.tls);
        assertTrue(empty.users.isEmpty());
        assertTrue(empty.headers.isEmpty());
    }

    @Test
    void readsEscapesInDoubleQuotesAndDoubledQuotesInSingleQuotes() throws WebConfigException {
        WebConfig config = parse(
                "http_server_config:",
                "  headers:",
                "    Content-Security-Policy: \"default-src 'self' \\u0041\"",
                "    X-XSS-Protection: '1; mode=''block'''");

        assertEquals("default-src 'self' A", config.headers.get("Content-Security-Policy"));
        assertEquals("1; mode='block'", config.headers.get("X-XSS-Protection"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown top key|line 2: unknown key 'tls_config' at the top level; accepted: tls_server_config,"
                    + " http_server_config or basic_auth_users",
            "unknown tls key|line 4: unknown key 'cert_fil' in tls_server_config; accepted: cert_file, key_file,",
            "client auth|line 5: tls_server_config.client_auth_type 'RequireClientCertificate' is not a client auth"
                    + " type; use NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven or"
                    + " RequireAndVerifyClientCert",
            "version|line 5: tls_server_config.min_version 'TLS1.2' is not a TLS version; use TLS10, TLS11, TLS12"
                    + " or TLS13",
            "cipher|line 6: tls_server_config.cipher_suites: unknown name 'ECDHE-RSA-AES128-GCM-SHA256'; use Go's"
                    + " names",
            "curve|line 5: tls_server_config.curve_preferences: unknown name 'P-256'; use CurveP256, CurveP384,"
                    + " CurveP521 or X25519",
            "header|line 4: http_server_config.headers: the header 'Server' cannot be configured; use",
            "header value|line 4: http_server_config.headers.X-Frame-Options 'allow' is not accepted; use deny or"
                    + " sameorigin",
            "user hash|line 3: basic_auth_users.alice is not a bcrypt hash",
            "ca without auth|line 5: client_ca_file is set but client_auth_type is NoClientCert",
            "verify without ca|line 5: client_auth_type RequireAndVerifyClientCert verifies client certificates but"
                    + " no client_ca_file is set",
            "min above max|line 5: min_version TLS13 is above max_version TLS12",
            "missing key|line 2: tls_server_config has no key_file",
            "duplicate|line 4: 'cert_file' is set twice in this mapping (first on line 3)",
            "tab|line 3: a tab indents this line; indent with spaces",
            "quote|line 3: a double-quoted value without its closing quote on the same line",
            "block scalar|line 3: multi-line values ('|', '>') are not supported",
            "anchor|line 3: anchors, aliases and tags ('&', '*', '!') are not supported",
            "indent|line 4: unexpected indentation",
            "not mapping|line 2: tls_server_config must be a mapping of keys indented below it, not a single value",
            "rate limit|line 2: rate_limit: it is not supported by dynamo-agent; remove it",
            "sans|line 5: tls_server_config.client_allowed_sans: it is not supported by dynamo-agent",
            "flow mapping|line 2: '{...}' mappings are not supported",
            "boolean|line 5: tls_server_config.prefer_server_cipher_suites 'maybe' is not a boolean; use true or"
                    + " false"})
    void namesTheLineAndWhatIsAcceptedForEachMistake(String mistake, String expected) {
        String message = error(fileWith(mistake));

        assertTrue(message.startsWith(expected), "expected '" + expected + "...' but was: " + message);
    }

    private static String[] fileWith(String mistake) {
        String tls = "tls_server_config:";
        String cert = "  cert_file: a.crt";
        String key = "  key_file: a.key";
        switch (mistake) {
            case "unknown top key":
                return new String[] {"# comment", "tls_config:", "  cert_file: a"};
            case "unknown tls key":
                return new String[] {"", tls, cert, "  cert_fil: b.crt"};
            case "client auth":
                return new String[] {"", tls, cert, key, "  client_auth_type: RequireClientCertificate"};
            case "version":
                return new String[] {"", tls, cert, key, "  min_version: TLS1.2"};
            case "cipher":
                return new String[] {"", tls, cert, key, "  cipher_suites:", "    - ECDHE-RSA-AES128-GCM-SHA256"};
            case "curve":
                return new String[] {"", tls, cert, key, "  curve_preferences: [X25519, P-256]"};
            case "header":
                return new String[] {"", "http_server_config:", "  headers:", "    Server: dynamo"};
            case "header value":
                return new String[] {"", "http_server_config:", "  headers:", "    X-Frame-Options: allow"};
            case "user hash":
                return new String[] {"", "basic_auth_users:", "  alice: secret"};
            case "ca without auth":
                return new String[] {"", tls, cert, key, "  client_ca_file: ca.pem"};
            case "verify without ca":
                return new String[] {"", tls, cert, key, "  client_auth_type: RequireAndVerifyClientCert"};
            case "min above max":
                return new String[] {"", tls, cert, key, "  min_version: TLS13", "  max_version: TLS12"};
            case "missing key":
                return new String[] {"", tls, cert};
            case "duplicate":
                return new String[] {"", tls, cert, "  cert_file: b.crt"};
            case "tab":
                return new String[] {"", tls, "\tcert_file: a.crt"};
            case "quote":
                return new String[] {"", tls, "  cert_file: \"a.crt"};
            case "block scalar":
                return new String[] {"", tls, "  cert_file: |", "    a.crt"};
            case "anchor":
                return new String[] {"", tls, "  cert_file: &cert a.crt"};
            case "indent":
                return new String[] {"", tls, cert, "      key_file: a.key"};
            case "not mapping":
                return new String[] {"", "tls_server_config: yes"};
            case "rate limit":
                return new String[] {"", "rate_limit:", "  burst: 10"};
            case "sans":
                return new String[] {"", tls, cert, key, "  client_allowed_sans: [a]"};
            case "flow mapping":
                return new String[] {"", "tls_server_config: {cert_file: a}"};
            case "boolean":
                return new String[] {"", tls, cert, key, "  prefer_server_cipher_suites: maybe"};
            default:
                throw new IllegalArgumentException(mistake);
        }
    }
}
