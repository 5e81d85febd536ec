package dev.dynamo.agent.internal.webconfig;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PemFilesTest {
    @TempDir
    static Path directory;
    private static TestPki pki;

    @BeforeAll
    static void makeKeys() throws IOException {
        pki = new TestPki(directory).authority("ca").leaf("rsa", "rsa", "ca").leaf("ec", "ec", null);
        pki.openssl("pkey", "-in", "rsa.key", "-traditional", "-out", "rsa-pkcs1.key");
        pki.openssl("ec", "-in", "ec.key", "-out", "ec-sec1.key");
        pki.openssl("genpkey", "-algorithm", "ed25519", "-out", "ed25519.key");
        pki.openssl("req", "-x509", "-key", "ed25519.key", "-out", "ed25519.pem", "-subj", "/CN=ed", "-days", "2");
        pki.openssl("pkcs8", "-topk8", "-in", "rsa.key", "-passout", "pass:secret", "-out", "encrypted.key");
        pki.openssl("rsa", "-in", "rsa.key", "-traditional", "-aes256", "-passout", "pass:secret",
                "-out", "encrypted-pkcs1.key");
        Files.write(directory.resolve("chain.pem"), concat("rsa.pem", "ca.pem"));
    }

    private static byte[] concat(String... names) throws IOException {
        StringBuilder out = new StringBuilder();
        for (String name : names) {
            out.append(new String(Files.readAllBytes(directory.resolve(name)), StandardCharsets.US_ASCII));
        }
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "rsa.key, rsa.pem, RSA, -----BEGIN PRIVATE KEY-----",
            "rsa-pkcs1.key, rsa.pem, RSA, -----BEGIN RSA PRIVATE KEY-----",
            "ec.key, ec.pem, EC, -----BEGIN PRIVATE KEY-----",
            "ec-sec1.key, ec.pem, EC, -----BEGIN EC PRIVATE KEY-----",
            "ed25519.key, ed25519.pem, EdDSA, -----BEGIN PRIVATE KEY-----"})
    void readsEachKeyFormatAndMatchesItToItsCertificate(String keyFile, String certFile, String algorithm,
            String firstLine) throws Exception {
        Path key = directory.resolve(keyFile);
        assertTrue(new String(Files.readAllBytes(key), StandardCharsets.US_ASCII).startsWith(firstLine));

        PrivateKey read = PemFiles.privateKey(key, "key_file");
        X509Certificate certificate = PemFiles.certificates(directory.resolve(certFile), "cert_file").get(0);

        assertTrue(read.getAlgorithm().equals(algorithm) || algorithm.equals("EdDSA")
                && read.getAlgorithm().equals("Ed25519"), read.getAlgorithm());
        PemFiles.checkPair(read, certificate, key, directory.resolve(certFile));
    }

    /**
     * A JVM without EC key support (a jlink image without {@code jdk.crypto.ec}, as removing its provider makes
     * this one): the line names the module to add, for a PKCS#8 and a SEC1 key. Before, it said the key could
     * not be read, as if the file were at fault.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"ec.key", "ec-sec1.key"})
    void anEcKeyInAJvmWithoutEcSupportNamesTheModule(String keyFile) {
        Provider ec = Security.getProvider("SunEC");
        int position = Arrays.asList(Security.getProviders()).indexOf(ec) + 1;
        Security.removeProvider("SunEC");
        try {
            WebConfigException refused = assertThrows(WebConfigException.class,
                    () -> PemFiles.privateKey(directory.resolve(keyFile), "key_file"));
            assertTrue(refused.getMessage().contains("this JVM has no EC key support; a runtime image made with jlink"
                    + " needs the module jdk.crypto.ec"), refused.getMessage());
        } finally {
            Security.insertProviderAt(ec, position);
        }
    }

    @Test
    void readsAChainInOrder() throws Exception {
        List<X509Certificate> chain = PemFiles.certificates(directory.resolve("chain.pem"), "cert_file");

        assertEquals(2, chain.size());
        assertEquals("CN=rsa", chain.get(0).getSubjectX500Principal().getName());
        assertEquals("CN=ca", chain.get(1).getSubjectX500Principal().getName());
    }

    @Test
    void refusesAKeyOfAnotherCertificate() throws Exception {
        PrivateKey other = PemFiles.privateKey(directory.resolve("rsa.key"), "key_file");
        Files.copy(directory.resolve("rsa.key"), directory.resolve("other.key"));
        pki.leaf("other", "rsa", null);
        X509Certificate certificate = PemFiles.certificates(directory.resolve("other.pem"), "cert_file").get(0);

        WebConfigException refused = assertThrows(WebConfigException.class, () -> PemFiles.checkPair(other,
                certificate, directory.resolve("rsa.key"), directory.resolve("other.pem")));
        assertTrue(refused.getMessage().contains("does not match the certificate"), refused.getMessage());

        X509Certificate ec = PemFiles.certificates(directory.resolve("ec.pem"), "cert_file").get(0);
        WebConfigException wrongKind = assertThrows(WebConfigException.class, () -> PemFiles.checkPair(other, ec,
                directory.resolve("rsa.key"), directory.resolve("ec.pem")));
        assertTrue(wrongKind.getMessage().contains("holds an RSA key but the certificate"), wrongKind.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"encrypted.key", "encrypted-pkcs1.key"})
    void refusesAnEncryptedKeyWithAHint(String file) {
        WebConfigException refused = assertThrows(WebConfigException.class,
                () -> PemFiles.privateKey(directory.resolve(file), "key_file"));

        assertTrue(refused.getMessage().startsWith("key_file " + directory.resolve(file) + " is an encrypted key;"),
                refused.getMessage());
        assertTrue(refused.getMessage().contains("openssl pkey"), refused.getMessage());
    }

    @Test
    void namesTheFileThatHoldsNoCertificateOrNoKey() {
        WebConfigException noCertificate = assertThrows(WebConfigException.class,
                () -> PemFiles.certificates(directory.resolve("rsa.key"), "cert_file"));
        assertTrue(noCertificate.getMessage().contains("holds no '-----BEGIN CERTIFICATE-----' block"),
                noCertificate.getMessage());

        WebConfigException noKey = assertThrows(WebConfigException.class,
                () -> PemFiles.privateKey(directory.resolve("rsa.pem"), "key_file"));
        assertTrue(noKey.getMessage().contains("holds no private key"), noKey.getMessage());

        WebConfigException missing = assertThrows(WebConfigException.class,
                () -> PemFiles.privateKey(directory.resolve("absent.key"), "key_file"));
        assertTrue(missing.getMessage().startsWith("cannot read key_file " + directory.resolve("absent.key")),
                missing.getMessage());
    }
}
