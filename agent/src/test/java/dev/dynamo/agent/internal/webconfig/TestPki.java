package dev.dynamo.agent.internal.webconfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Certificates and keys made with the {@code openssl} command for tests, in one directory. */
final class TestPki {
    private final Path directory;

    TestPki(Path directory) {
        this.directory = directory;
    }

    Path file(String name) {
        return directory.resolve(name);
    }

    /** A self-signed CA: {@code name.pem} and {@code name.key}. */
    TestPki authority(String name) throws IOException {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", name + ".key", "-out", name + ".pem", "-subj", "/CN=" + name, "-days", "2",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign");
        return this;
    }

    /**
     * A certificate for 127.0.0.1 and localhost, {@code name.pem}, with its PKCS#8 key {@code name.key};
     * signed by {@code issuer}, or self-signed when it is null. {@code keyType} is {@code rsa} or {@code ec}.
     */
    TestPki leaf(String name, String keyType, String issuer) throws IOException {
        List<String> newKey = keyType.equals("rsa") ? Arrays.asList("-newkey", "rsa:2048")
                : Arrays.asList("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256");
        String san = "subjectAltName=IP:127.0.0.1,DNS:localhost";
        List<String> args = new ArrayList<String>(Arrays.asList("req", "-nodes", "-keyout", name + ".key",
                "-subj", "/CN=" + name));
        args.addAll(newKey);
        if (issuer == null) {
            args.addAll(Arrays.asList("-x509", "-out", name + ".pem", "-days", "2", "-addext", san));
            openssl(args.toArray(new String[0]));
        } else {
            args.addAll(Arrays.asList("-out", name + ".csr"));
            openssl(args.toArray(new String[0]));
            Files.write(file(name + ".ext"), san.getBytes(StandardCharsets.US_ASCII));
            openssl("x509", "-req", "-in", name + ".csr", "-CA", issuer + ".pem", "-CAkey", issuer + ".key",
                    "-CAcreateserial", "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext");
        }
        return this;
    }

    void openssl(String... args) throws IOException {
        List<String> command = new ArrayList<String>();
        command.add("openssl");
        command.addAll(Arrays.asList(args));
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .start();
        try {
            byte[] output = readAll(process);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("openssl failed: " + command + "\n" + new String(output, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IOException(interrupted);
        }
    }

    private static byte[] readAll(Process process) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        int read;
        while ((read = process.getInputStream().read(buffer)) > 0) {
            out.write(buffer, 0, read);
        }
        return out.toByteArray();
    }
}
