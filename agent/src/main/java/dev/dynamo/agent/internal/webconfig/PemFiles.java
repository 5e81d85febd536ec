package dev.dynamo.agent.internal.webconfig;

import dev.dynamo.agent.internal.SettingFiles;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads PEM certificates and private keys with JDK classes only. Keys may be PKCS#8
 * ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}) or SEC1 EC
 * ({@code BEGIN EC PRIVATE KEY}); the last two are rewrapped as PKCS#8, which is all the JDK reads.
 */
final class PemFiles {
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    /** The DER object identifier 1.2.840.10045.2.1, id-ecPublicKey. */
    private static final byte[] EC_PUBLIC_KEY_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02,
            0x01};
    private static final String DECRYPT_HINT = "; the web config has no passphrase setting, so store the key"
            + " unencrypted (e.g. `openssl pkey -in encrypted.key -out plain.key`) with file permissions that"
            + " protect it";

    private PemFiles() {
    }

    /** The certificates of {@code file} in order: the server certificate first, then its chain. */
    static List<X509Certificate> certificates(Path file, String setting) throws WebConfigException {
        List<PemBlock> blocks = blocks(read(file, setting), file, setting);
        List<X509Certificate> certificates = new ArrayList<X509Certificate>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (PemBlock block : blocks) {
                if (block.type.equals("CERTIFICATE")) {
                    certificates.add((X509Certificate) factory.generateCertificate(
                            new ByteArrayInputStream(block.der)));
                }
            }
        } catch (GeneralSecurityException | RuntimeException unreadable) {
            throw new WebConfigException(setting + " " + file + " holds a certificate that cannot be read: "
                    + unreadable.getMessage(), unreadable);
        }
        if (certificates.isEmpty()) {
            throw new WebConfigException(setting + " " + file + " holds no '-----BEGIN CERTIFICATE-----' block; give"
                    + " a PEM certificate file");
        }
        return certificates;
    }

    /** The first private key of {@code file}. */
    static PrivateKey privateKey(Path file, String setting) throws WebConfigException {
        byte[] content = read(file, setting);
        if (new String(content, StandardCharsets.US_ASCII).contains("Proc-Type: 4,ENCRYPTED")) {
            throw new WebConfigException(setting + " " + file + " is an encrypted key" + DECRYPT_HINT);
        }
        for (PemBlock block : blocks(content, file, setting)) {
            try {
                if (block.type.equals("PRIVATE KEY")) {
                    return pkcs8(block.der);
                }
                if (block.type.equals("RSA PRIVATE KEY")) {
                    return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(
                            sequence(new byte[] {0x02, 0x01, 0x00}, RSA_ALGORITHM, tagged(0x04, block.der))));
                }
                if (block.type.equals("EC PRIVATE KEY")) {
                    return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(sec1ToPkcs8(block.der,
                            file, setting)));
                }
            } catch (NoSuchAlgorithmException unsupported) {
                throw new WebConfigException(setting + " " + file + ": the " + block.type + " cannot be read: "
                        + missingKeySupport(block.type.startsWith("EC") ? "EC" : "RSA"), unsupported);
            } catch (GeneralSecurityException | RuntimeException unreadable) {
                throw new WebConfigException(setting + " " + file + ": the " + block.type + " cannot be read: "
                        + unreadable.getMessage(), unreadable);
            }
            if (block.type.equals("ENCRYPTED PRIVATE KEY")) {
                throw new WebConfigException(setting + " " + file + " is an encrypted key" + DECRYPT_HINT);
            }
            if (block.type.endsWith("PRIVATE KEY")) {
                throw new WebConfigException(setting + " " + file + " holds a '" + block.type + "', which cannot be"
                        + " read; use a PKCS#8 (BEGIN PRIVATE KEY), RSA or EC key, e.g. converted with"
                        + " `openssl pkey -in key -out key.pem`");
            }
        }
        throw new WebConfigException(setting + " " + file + " holds no private key; give a PEM file with a"
                + " '-----BEGIN PRIVATE KEY-----', 'RSA PRIVATE KEY' or 'EC PRIVATE KEY' block");
    }

    /**
     * Checks that {@code key} belongs to {@code certificate} by signing with one and verifying with
     * the other, so a mismatched pair fails when loaded rather than at each handshake.
     */
    static void checkPair(PrivateKey key, X509Certificate certificate, Path keyFile, Path certFile)
            throws WebConfigException {
        String algorithm = key.getAlgorithm();
        String signatureAlgorithm = algorithm.equals("RSA") ? "SHA256withRSA"
                : algorithm.equals("EC") ? "SHA256withECDSA"
                : algorithm.equals("Ed25519") || algorithm.equals("EdDSA") ? "Ed25519" : null;
        PublicKey publicKey = certificate.getPublicKey();
        if (signatureAlgorithm == null || !publicKey.getAlgorithm().equals(algorithm)) {
            if (!publicKey.getAlgorithm().equals(algorithm)) {
                throw new WebConfigException("key_file " + keyFile + " holds an " + algorithm + " key but the"
                        + " certificate in cert_file " + certFile + " is for an " + publicKey.getAlgorithm()
                        + " key; give the key of that certificate");
            }
            return;
        }
        try {
            byte[] probe = "dynamo-agent key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(signatureAlgorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(signatureAlgorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException | RuntimeException unusable) {
            throw new WebConfigException("key_file " + keyFile + " cannot sign for cert_file " + certFile + ": "
                    + unusable, unusable);
        }
        throw new WebConfigException("key_file " + keyFile + " does not match the certificate in cert_file "
                + certFile + "; give the private key of that certificate");
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        GeneralSecurityException last = null;
        String missing = null;
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (NoSuchAlgorithmException unsupported) {
                missing = missing == null ? missingKeySupport(algorithm) : missing;
            } catch (GeneralSecurityException notThisKind) {
                last = notThisKind;
            }
        }
        throw new GeneralSecurityException("not an RSA, EC or Ed25519 key this JVM can read ("
                + (missing != null ? missing + "; as another kind: " + last : String.valueOf(last)) + ")");
    }

    /**
     * Why this JVM cannot read keys of {@code algorithm}: a runtime image made with jlink that lacks the
     * module bringing them. Before, an EC key there was said to be unreadable, as if the file were at fault
     * (a re-tester, a JDK 17 image without {@code jdk.crypto.ec}).
     */
    static String missingKeySupport(String algorithm) {
        return "this JVM has no " + algorithm + " key support" + (algorithm.equals("EC")
                ? "; a runtime image made with jlink needs the module jdk.crypto.ec for EC keys before JDK 22"
                + " (jlink --add-modules jdk.crypto.ec), or use an RSA key"
                : "; a runtime image made with jlink needs the modules that bring it");
    }

    /**
     * Wraps a SEC1 {@code ECPrivateKey} into PKCS#8 with the curve named in its parameters
     * ({@code [0]}), which every key written by OpenSSL carries.
     */
    private static byte[] sec1ToPkcs8(byte[] sec1, Path file, String setting) throws WebConfigException {
        byte[] curveOid = null;
        DerReader outer = new DerReader(sec1, 0, sec1.length);
        DerReader fields = outer.enter(0x30);
        fields.skip(0x02);
        fields.skip(0x04);
        while (fields.hasMore()) {
            int tag = fields.peekTag();
            if (tag == 0xa0) {
                DerReader parameters = fields.enter(0xa0);
                curveOid = parameters.element(0x06);
            } else {
                fields.skipAny();
            }
        }
        if (curveOid == null) {
            throw new WebConfigException(setting + " " + file + ": the EC PRIVATE KEY names no curve; convert it to"
                    + " PKCS#8 with `openssl pkcs8 -topk8 -nocrypt -in key -out key.pem`");
        }
        byte[] algorithm = tagged(0x30, concat(EC_PUBLIC_KEY_OID, curveOid));
        return sequence(new byte[] {0x02, 0x01, 0x00}, algorithm, tagged(0x04, sec1));
    }

    private static byte[] read(Path file, String setting) throws WebConfigException {
        try {
            return SettingFiles.read(file);
        } catch (IOException unreadable) {
            throw new WebConfigException("cannot read " + setting + " " + file + ": " + unreadable.getMessage()
                    + "; give the path of a PEM file (a regular file of at most " + SettingFiles.MAX_SIZE_TEXT + ")",
                    unreadable);
        }
    }

    private static List<PemBlock> blocks(byte[] content, Path file, String setting) throws WebConfigException {
        String text = new String(content, StandardCharsets.US_ASCII);
        List<PemBlock> blocks = new ArrayList<PemBlock>();
        int at = 0;
        while (true) {
            int begin = text.indexOf("-----BEGIN ", at);
            if (begin < 0) {
                return blocks;
            }
            int typeEnd = text.indexOf("-----", begin + 11);
            if (typeEnd < 0) {
                throw new WebConfigException(setting + " " + file + " has a broken PEM '-----BEGIN' line");
            }
            String type = text.substring(begin + 11, typeEnd);
            String endLine = "-----END " + type + "-----";
            int end = text.indexOf(endLine, typeEnd);
            if (end < 0) {
                throw new WebConfigException(setting + " " + file + " has no '" + endLine + "' line");
            }
            StringBuilder base64 = new StringBuilder();
            for (String line : text.substring(typeEnd + 5, end).split("\r?\n")) {
                if (!line.contains(":")) {
                    base64.append(line.trim());
                }
            }
            try {
                blocks.add(new PemBlock(type, Base64.getDecoder().decode(base64.toString())));
            } catch (IllegalArgumentException notBase64) {
                throw new WebConfigException(setting + " " + file + ": the " + type + " block is not valid base64: "
                        + notBase64.getMessage(), notBase64);
            }
            at = end + endLine.length();
        }
    }

    private static byte[] sequence(byte[]... parts) {
        return tagged(0x30, concat(parts));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.write(part, 0, part.length);
        }
        return out.toByteArray();
    }

    /** A DER element: {@code tag}, the definite length, {@code content}. */
    private static byte[] tagged(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.write(content, 0, content.length);
        return out.toByteArray();
    }

    private static final class PemBlock {
        final String type;
        final byte[] der;

        PemBlock(String type, byte[] der) {
            this.type = type;
            this.der = der;
        }
    }

    /** Just enough DER reading to find the curve of a SEC1 key. */
    private static final class DerReader {
        private final byte[] data;
        private int position;
        private final int end;

        DerReader(byte[] data, int position, int end) {
            this.data = data;
            this.position = position;
            this.end = end;
        }

        boolean hasMore() {
            return position < end;
        }

        int peekTag() {
            return data[position] & 0xff;
        }

        /** The reader of the contents of the next element, which must have {@code tag}. */
        DerReader enter(int tag) {
            int[] bounds = next(tag);
            return new DerReader(data, bounds[0], bounds[1]);
        }

        /** The whole next element (tag, length and contents), which must have {@code tag}. */
        byte[] element(int tag) {
            int start = position;
            next(tag);
            byte[] element = new byte[position - start];
            System.arraycopy(data, start, element, 0, element.length);
            return element;
        }

        void skip(int tag) {
            next(tag);
        }

        void skipAny() {
            next(peekTag());
        }

        private int[] next(int tag) {
            if (position >= end || (data[position] & 0xff) != tag) {
                throw new IllegalArgumentException("malformed DER: expected tag 0x" + Integer.toHexString(tag));
            }
            position++;
            int length = data[position++] & 0xff;
            if (length >= 0x80) {
                int bytes = length & 0x7f;
                if (bytes > 3) {
                    throw new IllegalArgumentException("malformed DER: length too long");
                }
                length = 0;
                for (int i = 0; i < bytes; i++) {
                    length = (length << 8) | (data[position++] & 0xff);
                }
            }
            int start = position;
            position += length;
            if (position > end) {
                throw new IllegalArgumentException("malformed DER: element runs past its end");
            }
            return new int[] {start, position};
        }
    }
}
