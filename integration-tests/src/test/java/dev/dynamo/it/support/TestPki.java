package dev.dynamo.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Certificates and keys made with the {@code openssl} command, in one directory. */
public final class TestPki {
    private final Processes processes;
    private final Path directory;
    private final Path openssl;

    public TestPki(Processes processes, Path directory) {
        this.processes = processes;
        this.directory = directory;
        this.openssl = Tools.require("openssl", "install the Debian package openssl (apt-get install openssl)");
        try {
            Files.createDirectories(directory);
        } catch (IOException failed) {
            throw new UncheckedIOException(failed);
        }
    }

    public Path file(String name) {
        return directory.resolve(name);
    }

    /** A self-signed CA: {@code name.crt} and {@code name.key}. */
    public TestPki authority(String name) {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", name + ".key", "-out", name + ".crt", "-subj", "/CN=" + name, "-days", "2",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign");
        return this;
    }

    /** {@code name.crt} for 127.0.0.1 and localhost signed by {@code issuer}, with its key {@code name.key}. */
    public TestPki leaf(String name, String keyType, String issuer) {
        List<String> request = new ArrayList<>(List.of("req", "-nodes", "-keyout", name + ".key", "-subj",
                "/CN=" + name, "-out", name + ".csr"));
        request.addAll(keyType.equals("rsa") ? List.of("-newkey", "rsa:2048")
                : List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"));
        openssl(request.toArray(new String[0]));
        try {
            Files.writeString(file(name + ".ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        } catch (IOException failed) {
            throw new UncheckedIOException(failed);
        }
        openssl("x509", "-req", "-in", name + ".csr", "-CA", issuer + ".crt", "-CAkey", issuer + ".key",
                "-CAcreateserial", "-out", name + ".crt", "-days", "2", "-extfile", name + ".ext");
        return this;
    }

    public void openssl(String... args) {
        List<String> command = new ArrayList<>();
        command.add(openssl.toString());
        command.addAll(List.of(args));
        command.add(0, "env");
        command.add(1, "--chdir=" + directory);
        ManagedProcess process = processes.start("openssl", command, System.getenv());
        if (process.awaitExit(Timeouts.EXIT) != 0) {
            throw new AssertionError("openssl failed: " + process.describe());
        }
    }
}
