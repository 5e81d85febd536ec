package dev.dynamo.agent.internal.webconfig;

import dev.dynamo.agent.internal.SettingFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Prometheus web configuration file, the format of the exporter toolkit that Prometheus,
 * node_exporter and the other exporters read ({@code --web.config.file}): {@code tls_server_config},
 * {@code http_server_config} and {@code basic_auth_users}. Keys the format does not have are errors,
 * as in the toolkit's strict reading; relative file names are relative to the file's directory.
 *
 * <pre>{@code
 * WebConfig config = WebConfig.read(Paths.get("/etc/dynamo/web-config.yml"));
 * }</pre>
 */
final class WebConfig {
    private static final List<String> TOP_KEYS = Arrays.asList("tls_server_config", "http_server_config",
            "basic_auth_users");
    private static final List<String> TLS_KEYS = Arrays.asList("cert_file", "key_file", "client_auth_type",
            "client_ca_file", "min_version", "max_version", "cipher_suites", "prefer_server_cipher_suites",
            "curve_preferences");
    private static final List<String> HTTP_KEYS = Arrays.asList("headers", "http2");
    /** Keys of newer exporter-toolkit versions that the agent does not implement, with what to use instead. */
    private static final Map<String, String> UNSUPPORTED = new LinkedHashMap<String, String>();

    static {
        UNSUPPORTED.put("rate_limit", "it is not supported by dynamo-agent; remove it");
        UNSUPPORTED.put("tls_server_config.cert", "inline certificates are not supported by dynamo-agent; use"
                + " cert_file");
        UNSUPPORTED.put("tls_server_config.key", "inline keys are not supported by dynamo-agent; use key_file");
        UNSUPPORTED.put("tls_server_config.client_ca", "inline CA certificates are not supported by dynamo-agent;"
                + " use client_ca_file");
        UNSUPPORTED.put("tls_server_config.client_allowed_sans", "it is not supported by dynamo-agent; verify"
                + " client certificates with client_ca_file and RequireAndVerifyClientCert");
    }

    /**
     * The headers {@code http_server_config.headers} may set, and their allowed values (none listed:
     * any value); the toolkit limits them the same way.
     */
    static final Map<String, List<String>> SETTABLE_HEADERS = new LinkedHashMap<String, List<String>>();

    static {
        SETTABLE_HEADERS.put("Strict-Transport-Security", Collections.<String>emptyList());
        SETTABLE_HEADERS.put("X-Content-Type-Options", Collections.singletonList("nosniff"));
        SETTABLE_HEADERS.put("X-Frame-Options", Arrays.asList("deny", "sameorigin"));
        SETTABLE_HEADERS.put("X-XSS-Protection", Collections.<String>emptyList());
        SETTABLE_HEADERS.put("Content-Security-Policy", Collections.<String>emptyList());
    }

    final Path file;
    /** Null when the file configures no TLS: the server then speaks plain HTTP, as the toolkit's does. */
    final TlsSettings tls;
    final Map<String, String> headers;
    /** User name to bcrypt hash; empty when no basic auth is configured. */
    final Map<String, String> users;
    /** Remarks on settings that are accepted but have no effect, for the log. */
    final List<String> notes;

    private WebConfig(Path file, TlsSettings tls, Map<String, String> headers, Map<String, String> users,
            List<String> notes) {
        this.file = file;
        this.tls = tls;
        this.headers = Collections.unmodifiableMap(headers);
        this.users = Collections.unmodifiableMap(users);
        this.notes = Collections.unmodifiableList(notes);
    }

    /**
     * Reads and checks {@code file}. The files it names are not read here; {@link ServerTls} loads them.
     *
     * @throws WebConfigException with one line that names the line, the key and what is accepted
     */
    static WebConfig read(Path file) throws WebConfigException {
        String text;
        try {
            text = new String(SettingFiles.read(file), StandardCharsets.UTF_8);
        } catch (IOException unreadable) {
            throw new WebConfigException("cannot read it: " + unreadable.getMessage() + "; give the path of a"
                    + " web configuration file (a regular YAML file of at most " + SettingFiles.MAX_SIZE_TEXT + ")",
                    unreadable);
        }
        return parse(text, file);
    }

    /** {@link #read} for {@code text}, as if read from {@code file}. */
    static WebConfig parse(String text, Path file) throws WebConfigException {
        YamlNode.Mapping top = YamlSubset.parse(text);
        checkKeys(top, "", TOP_KEYS);
        Path directory = file.toAbsolutePath().getParent();
        List<String> notes = new ArrayList<String>();
        TlsSettings tls = null;
        YamlNode.Mapping tlsSection = mapping(top, "tls_server_config", "");
        if (tlsSection != null) {
            tls = tls(tlsSection, top.entries.get("tls_server_config").line, directory);
        }
        Map<String, String> headers = new LinkedHashMap<String, String>();
        YamlNode.Mapping http = mapping(top, "http_server_config", "");
        if (http != null) {
            checkKeys(http, "http_server_config.", HTTP_KEYS);
            YamlNode.Entry http2 = http.entries.get("http2");
            if (http2 != null && bool(http2, "http_server_config.") != null) {
                notes.add("http_server_config.http2 is accepted and has no effect: the agent serves HTTP/1.1");
            }
            YamlNode.Mapping headerSection = mapping(http, "headers", "http_server_config.");
            if (headerSection != null) {
                for (YamlNode.Entry header : headerSection.entries.values()) {
                    headers.put(header.key, header(header));
                }
            }
        }
        Map<String, String> users = new LinkedHashMap<String, String>();
        YamlNode.Mapping userSection = mapping(top, "basic_auth_users", "");
        if (userSection != null) {
            for (YamlNode.Entry user : userSection.entries.values()) {
                String hash = string(user, "basic_auth_users.");
                if (hash == null) {
                    throw WebConfigException.atLine(user.line, "basic_auth_users." + user.key + " has no password"
                            + " hash; give a bcrypt hash (create one with `htpasswd -nbB user password`)");
                }
                try {
                    Bcrypt.checkHash(hash);
                } catch (IllegalArgumentException notBcrypt) {
                    throw WebConfigException.atLine(user.line, "basic_auth_users." + user.key + " "
                            + notBcrypt.getMessage());
                }
                users.put(user.key, hash);
            }
        }
        return new WebConfig(file, tls, headers, users, notes);
    }

    private static TlsSettings tls(YamlNode.Mapping section, int sectionLine, Path directory)
            throws WebConfigException {
        String prefix = "tls_server_config.";
        checkKeys(section, prefix, TLS_KEYS);
        Path certFile = path(section, "cert_file", directory);
        Path keyFile = path(section, "key_file", directory);
        Path clientCaFile = path(section, "client_ca_file", directory);
        String clientAuthName = string(section.entries.get("client_auth_type"), prefix);
        if (certFile == null && keyFile == null && clientCaFile == null && clientAuthName == null) {
            return null;
        }
        if (certFile == null) {
            throw WebConfigException.atLine(sectionLine, "tls_server_config has no cert_file; give the PEM file of"
                    + " the server certificate (and key_file for its key)");
        }
        if (keyFile == null) {
            throw WebConfigException.atLine(sectionLine, "tls_server_config has no key_file; give the PEM file of"
                    + " the server's private key");
        }
        TlsSettings.ClientAuth clientAuth = TlsSettings.ClientAuth.NO_CLIENT_CERT;
        if (clientAuthName != null) {
            clientAuth = TlsSettings.ClientAuth.named(clientAuthName);
            if (clientAuth == null) {
                throw WebConfigException.atLine(section.entries.get("client_auth_type").line, prefix
                        + "client_auth_type '" + clientAuthName + "' is not a client auth type; use "
                        + TlsSettings.ClientAuth.ACCEPTED);
            }
        }
        if (clientCaFile != null && !clientAuth.asks) {
            throw WebConfigException.atLine(section.entries.get("client_ca_file").line, "client_ca_file is set but"
                    + " client_auth_type is NoClientCert; set client_auth_type to RequireAndVerifyClientCert"
                    + " (or VerifyClientCertIfGiven) to check client certificates, or remove client_ca_file");
        }
        if (clientCaFile == null && clientAuth.verifies) {
            throw WebConfigException.atLine(section.entries.get("client_auth_type").line, "client_auth_type "
                    + clientAuth.configName + " verifies client certificates but no client_ca_file is set; give"
                    + " the PEM file of the CA that signs them");
        }
        TlsSettings.TlsVersion min = version(section, "min_version", TlsSettings.TlsVersion.TLS12);
        TlsSettings.TlsVersion max = version(section, "max_version", TlsSettings.TlsVersion.TLS13);
        if (min.compareTo(max) > 0) {
            throw WebConfigException.atLine(section.entries.get("min_version").line, "min_version " + min.name()
                    + " is above max_version " + max.name() + "; use a min_version at or below max_version");
        }
        List<String> suites = names(section, "cipher_suites", TlsSettings.GO_CIPHER_SUITES,
                TlsSettings.GO_CIPHER_SUITES, "Go's names of TLS 1.2 cipher suites, such as"
                        + " TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        List<String> groups = names(section, "curve_preferences", TlsSettings.GO_CURVES, TlsSettings.JDK_GROUPS,
                "CurveP256, CurveP384, CurveP521 or X25519");
        YamlNode.Entry prefer = section.entries.get("prefer_server_cipher_suites");
        Boolean preferServer = prefer == null ? null : bool(prefer, prefix);
        return new TlsSettings(certFile, keyFile, clientCaFile, clientAuth, min, max, suites,
                preferServer == null || preferServer, groups);
    }

    private static void checkKeys(YamlNode.Mapping mapping, String prefix, List<String> known)
            throws WebConfigException {
        for (YamlNode.Entry entry : mapping.entries.values()) {
            if (known.contains(entry.key)) {
                continue;
            }
            String unsupported = UNSUPPORTED.get(prefix + entry.key);
            if (unsupported != null) {
                throw WebConfigException.atLine(entry.line, prefix + entry.key + ": " + unsupported);
            }
            String where = prefix.isEmpty() ? "at the top level" : "in " + prefix.substring(0, prefix.length() - 1);
            throw WebConfigException.atLine(entry.line, "unknown key '" + entry.key + "' " + where + "; accepted: "
                    + join(known));
        }
    }

    private static YamlNode.Mapping mapping(YamlNode.Mapping parent, String key, String prefix)
            throws WebConfigException {
        YamlNode.Entry entry = parent.entries.get(key);
        if (entry == null) {
            return null;
        }
        if (entry.value instanceof YamlNode.Scalar && ((YamlNode.Scalar) entry.value).text == null) {
            return null;
        }
        if (!(entry.value instanceof YamlNode.Mapping)) {
            throw WebConfigException.atLine(entry.line, prefix + key + " must be a mapping of keys indented below it,"
                    + " not " + entry.value.kind());
        }
        return (YamlNode.Mapping) entry.value;
    }

    private static String string(YamlNode.Entry entry, String prefix) throws WebConfigException {
        if (entry == null) {
            return null;
        }
        if (!(entry.value instanceof YamlNode.Scalar)) {
            throw WebConfigException.atLine(entry.line, prefix + entry.key + " must be a single value, not "
                    + entry.value.kind());
        }
        String text = ((YamlNode.Scalar) entry.value).text;
        return text == null || text.isEmpty() ? null : text;
    }

    private static Boolean bool(YamlNode.Entry entry, String prefix) throws WebConfigException {
        String text = string(entry, prefix);
        if (text == null) {
            return null;
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (!((YamlNode.Scalar) entry.value).quoted) {
            if (Arrays.asList("true", "yes", "on", "y").contains(lower)) {
                return Boolean.TRUE;
            }
            if (Arrays.asList("false", "no", "off", "n").contains(lower)) {
                return Boolean.FALSE;
            }
        }
        throw WebConfigException.atLine(entry.line, prefix + entry.key + " '" + text + "' is not a boolean; use"
                + " true or false");
    }

    private static Path path(YamlNode.Mapping section, String key, Path directory) throws WebConfigException {
        String text = string(section.entries.get(key), "tls_server_config.");
        return text == null ? null : directory.resolve(text);
    }

    private static TlsSettings.TlsVersion version(YamlNode.Mapping section, String key,
            TlsSettings.TlsVersion fallback) throws WebConfigException {
        YamlNode.Entry entry = section.entries.get(key);
        String text = string(entry, "tls_server_config.");
        if (text == null) {
            return fallback;
        }
        TlsSettings.TlsVersion version = TlsSettings.TlsVersion.named(text);
        if (version == null) {
            throw WebConfigException.atLine(entry.line, "tls_server_config." + key + " '" + text + "' is not a TLS"
                    + " version; use " + TlsSettings.TlsVersion.ACCEPTED);
        }
        return version;
    }

    /** The values of the list {@code key}, each one of {@code accepted}, mapped to the same index of {@code mapped}. */
    private static List<String> names(YamlNode.Mapping section, String key, List<String> accepted,
            List<String> mapped, String acceptedText) throws WebConfigException {
        YamlNode.Entry entry = section.entries.get(key);
        List<String> result = new ArrayList<String>();
        if (entry == null || entry.value instanceof YamlNode.Scalar && ((YamlNode.Scalar) entry.value).text == null) {
            return result;
        }
        if (!(entry.value instanceof YamlNode.Sequence)) {
            throw WebConfigException.atLine(entry.line, "tls_server_config." + key + " must be a list ('- name'"
                    + " lines or [a, b]), not " + entry.value.kind());
        }
        for (YamlNode.Scalar item : ((YamlNode.Sequence) entry.value).items) {
            int index = item.text == null ? -1 : accepted.indexOf(item.text);
            if (index < 0) {
                throw WebConfigException.atLine(item.line, "tls_server_config." + key + ": unknown name '"
                        + item.text + "'; use " + acceptedText);
            }
            if (!result.contains(mapped.get(index))) {
                result.add(mapped.get(index));
            }
        }
        return result;
    }

    private static String header(YamlNode.Entry entry) throws WebConfigException {
        List<String> allowed = SETTABLE_HEADERS.get(entry.key);
        if (allowed == null) {
            throw WebConfigException.atLine(entry.line, "http_server_config.headers: the header '" + entry.key
                    + "' cannot be configured; use " + join(new ArrayList<String>(SETTABLE_HEADERS.keySet())));
        }
        String value = string(entry, "http_server_config.headers.");
        if (value == null) {
            value = "";
        }
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw WebConfigException.atLine(entry.line, "http_server_config.headers." + entry.key
                    + " must not contain a line break");
        }
        if (!allowed.isEmpty() && !allowed.contains(value)) {
            throw WebConfigException.atLine(entry.line, "http_server_config.headers." + entry.key + " '" + value
                    + "' is not accepted; use " + join(allowed));
        }
        return value;
    }

    private static String join(List<String> names) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            out.append(i == 0 ? "" : i == names.size() - 1 ? " or " : ", ").append(names.get(i));
        }
        return out.toString();
    }
}
