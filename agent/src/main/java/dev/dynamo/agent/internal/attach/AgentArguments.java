package dev.dynamo.agent.internal.attach;

import java.io.UnsupportedEncodingException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's argument string: {@code DYN_*} settings as URL-encoded {@code name=value} pairs
 * joined by {@code &}, e.g. {@code DYN_SYSTEM_PORT=8000&DYN_LOG=info%2Cdev.dynamo%3Ddebug}. Used by
 * {@code java -jar dynamo-agent.jar <pid>} to pass its own environment to the target JVM, and
 * accepted after {@code -javaagent:dynamo-agent.jar=}.
 */
public final class AgentArguments {
    private static final String PREFIX = "DYN_";

    private AgentArguments() {
    }

    /** Encodes the {@code DYN_*} entries of {@code environment}. */
    public static String encode(Map<String, String> environment) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> entry : environment.entrySet()) {
            if (!entry.getKey().startsWith(PREFIX) || entry.getValue() == null) {
                continue;
            }
            out.append(out.length() == 0 ? "" : "&").append(encodeOne(entry.getKey())).append('=')
                    .append(encodeOne(entry.getValue()));
        }
        return out.toString();
    }

    /** Decodes {@code arguments}; parts that are not {@code DYN_*=value} are described in {@code problems}. */
    public static Map<String, String> decode(String arguments, List<String> problems) {
        Map<String, String> settings = new LinkedHashMap<String, String>();
        if (arguments == null || arguments.trim().isEmpty()) {
            return settings;
        }
        for (String pair : arguments.split("&")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? "" : decodeOne(pair.substring(0, equals)).trim();
            if (equals < 0 || !name.startsWith(PREFIX)) {
                problems.add("agent argument '" + pair + "' is not a setting; pass DYN_* settings as"
                        + " NAME=value pairs joined by '&', e.g. -javaagent:dynamo-agent.jar=DYN_SYSTEM_PORT=8000."
                        + " It is ignored");
                continue;
            }
            settings.put(name, decodeOne(pair.substring(equals + 1)));
        }
        return settings;
    }

    private static String encodeOne(String text) {
        try {
            return URLEncoder.encode(text, "UTF-8");
        } catch (UnsupportedEncodingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static String decodeOne(String text) {
        try {
            return URLDecoder.decode(text, "UTF-8");
        } catch (UnsupportedEncodingException | IllegalArgumentException malformed) {
            return text;
        }
    }
}
