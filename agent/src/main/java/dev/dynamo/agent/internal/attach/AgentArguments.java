package dev.dynamo.agent.internal.attach;

import dev.dynamo.agent.internal.config.AgentConfig;
import dev.dynamo.agent.internal.config.SettingNames;

import java.io.ByteArrayOutputStream;
import java.io.UnsupportedEncodingException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's argument string, in one of two forms:
 *
 * <pre>{@code
 * -javaagent:dynamo-agent.jar=port=9000,host=127.0.0.1,log=info   # needs no shell quoting
 * -javaagent:dynamo-agent.jar=DYN_SYSTEM_PORT=9000&DYN_LOG=info    # the older form, pairs joined by '&'
 * }</pre>
 *
 * Arguments that contain {@code &} are in the older form; the others are split at commas, and an
 * item that names no setting after {@code log}, {@code agent.main} or
 * {@code use.endpoint.health.status} continues that list value ({@code log=info,dev.dynamo.agent=debug},
 * {@code use.endpoint.health.status=["a","b"]}). In both forms {@code %XX} escapes are decoded in
 * names and values ({@code %2C} for a comma elsewhere), except those that make no text
 * ({@code host=fe80::1%99} stays as written). {@code java -jar dynamo-agent.jar <pid>}
 * passes its settings to the target JVM in the older form.
 */
public final class AgentArguments {
    /** Settings whose values are comma-separated lists; in the comma form their items continue them. */
    private static final List<String> LIST_SETTINGS = Arrays.asList(AgentConfig.LOG, AgentConfig.AGENT_MAIN,
            AgentConfig.USE_ENDPOINT_HEALTH_STATUS);

    /** Settings whose values never hold a ',' or '&': numbers, flags, hosts, a few words. */
    private static final List<String> WITHOUT_SEPARATORS = Arrays.asList(AgentConfig.SYSTEM_PORT,
            AgentConfig.SYSTEM_ENABLED, AgentConfig.AGENT_ENABLED, AgentConfig.SYSTEM_HOST,
            AgentConfig.STARTING_HEALTH_STATUS, AgentConfig.JVM_METRICS, AgentConfig.JVM_DEADLOCK_DETECTION,
            AgentConfig.METRICS_MAX_SERIES, AgentConfig.METRICS_MAX_FAMILIES, AgentConfig.SYSTEM_REQUEST_TIMEOUT_MS,
            AgentConfig.LIVE_REQUIRES_AUTH);

    private AgentArguments() {
    }

    /** Encodes the entries of {@code environment} that are agent settings, in the {@code &} form. */
    public static String encode(Map<String, String> environment) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> entry : environment.entrySet()) {
            if (!SettingNames.isSetting(entry.getKey()) || entry.getValue() == null) {
                continue;
            }
            out.append(out.length() == 0 ? "" : "&").append(encodeOne(entry.getKey())).append('=')
                    .append(encodeOne(entry.getValue()));
        }
        return out.toString();
    }

    /**
     * Decodes {@code arguments} into name-value pairs, names as written; parts that are not
     * {@code name=value} are described in {@code problems}, and so is a setting given twice (the
     * last one is used, as the JVM does with its own options).
     */
    public static Map<String, String> decode(String arguments, List<String> problems) {
        Map<String, String> settings = new LinkedHashMap<String, String>();
        if (arguments == null || arguments.trim().isEmpty()) {
            return settings;
        }
        String trimmed = arguments.trim();
        boolean ampersandForm = trimmed.contains("&");
        String listKey = null;
        // The name=value item just before, as written: an item without '=' after it is most often the rest of its
        // value, cut at a separator that the value should have escaped.
        String previousPair = null;
        // Per setting (or unknown name), each time it is given, as written: one line says which one is used.
        Map<String, List<StringBuilder>> given = new LinkedHashMap<String, List<StringBuilder>>();
        for (String pair : trimmed.split(ampersandForm ? "&" : ",")) {
            if (pair.trim().isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = equals < 0 ? "" : decodeOne(pair.substring(0, equals)).trim();
            String settingWithoutValue = equals < 0 ? SettingNames.resolve(decodeOne(pair).trim()) : null;
            if (listKey != null && SettingNames.resolve(name) == null && settingWithoutValue == null
                    && !isCompleteJsonList(listKey, settings.get(listKey))) {
                // The next item of a comma-separated value: log=info,dev.dynamo.agent=debug
                settings.put(listKey, settings.get(listKey) + "," + decodeOne(pair));
                List<StringBuilder> occurrences = given.get(settingOrName(listKey));
                occurrences.get(occurrences.size() - 1).append(',').append(decodeOne(pair));
                continue;
            }
            listKey = null;
            String before = previousPair;
            previousPair = null;
            if (settingWithoutValue != null) {
                problems.add("agent argument '" + pair.trim() + "' names the setting " + settingWithoutValue
                        + " but gives no value; write " + pair.trim() + "=<value>. It is ignored");
                continue;
            }
            if (name.isEmpty()) {
                String splitValue = "";
                if (equals < 0 && before != null && mayHoldASeparator(before)) {
                    char separator = ampersandForm ? '&' : ',';
                    String escape = ampersandForm ? "%26" : "%2C";
                    String joined = before + escape + pair.trim();
                    splitValue = ". If it is the rest of the value before it, cut at a '" + separator + "', write that '"
                            + separator + "' as " + escape + ": " + joined + "; otherwise";
                    // A value cut twice (namespace=a,b,c): the next line gives the whole of it.
                    previousPair = joined;
                }
                problems.add("agent argument '" + pair + "' is not a setting" + (splitValue.isEmpty() ? ";" : splitValue)
                        + " pass name=value pairs joined by ',' (e.g. -javaagent:dynamo-agent.jar=port=9000,host=127.0.0.1)"
                        + " or DYN_* pairs joined by '&'. It is ignored");
                continue;
            }
            String value = decodeOne(pair.substring(equals + 1));
            String earlier = sameSetting(settings, name);
            // An empty value counts as unset: port=9000,port= keeps 9000, as an empty variable lets the next source
            // speak.
            boolean keepsEarlier = earlier != null && value.trim().isEmpty() && !settings.get(earlier).trim().isEmpty();
            if (!keepsEarlier) {
                if (earlier != null) {
                    settings.remove(earlier);
                }
                settings.put(name, value);
            }
            List<StringBuilder> occurrences = given.get(settingOrName(name));
            if (occurrences == null) {
                occurrences = new ArrayList<StringBuilder>();
                given.put(settingOrName(name), occurrences);
            }
            occurrences.add(new StringBuilder(name).append('=').append(value));
            previousPair = pair.trim();
            listKey = !ampersandForm && LIST_SETTINGS.contains(SettingNames.resolve(name)) ? name : null;
        }
        for (Map.Entry<String, List<StringBuilder>> setting : given.entrySet()) {
            if (setting.getValue().size() > 1) {
                List<String> occurrences = new ArrayList<String>();
                List<String> values = new ArrayList<String>();
                for (StringBuilder occurrence : setting.getValue()) {
                    occurrences.add(occurrence.toString());
                    values.add(occurrence.substring(occurrence.indexOf("=") + 1));
                }
                boolean known = SettingNames.resolve(setting.getKey()) != null;
                String name = known ? setting.getKey() : "'" + setting.getKey() + "'";
                problems.add("agent argument " + SettingNames.givenMoreThanOnce(name, occurrences,
                        SettingNames.lastWithAValue(values)) + ", is used");
            }
        }
        return settings;
    }

    /**
     * Whether {@code value} of list setting {@code listKey} is a whole JSON list already
     * ({@code use.endpoint.health.status=["generate"]}): an item after it is no part of it. A misspelt
     * setting after the list ({@code ,prot=19742}) was taken into it, which then failed to parse and was
     * dropped, and the misspelling went unreported (a re-tester).
     */
    private static boolean isCompleteJsonList(String listKey, String value) {
        if (!AgentConfig.USE_ENDPOINT_HEALTH_STATUS.equals(SettingNames.resolve(listKey))) {
            return false;
        }
        int depth = 0;
        boolean opened = false;
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '[') {
                depth++;
                opened = true;
            } else if (c == ']') {
                depth--;
            }
        }
        return opened && depth <= 0 && !quoted;
    }

    /**
     * Whether the value of {@code pair} ({@code name=value}, as written) may hold a ',' or '&': not a number,
     * a flag, a host or one of a few words, for which the hint to escape it would only mislead
     * ({@code port=19735%2Cb}).
     */
    private static boolean mayHoldASeparator(String pair) {
        String setting = SettingNames.resolve(decodeOne(pair.substring(0, pair.indexOf('='))).trim());
        return setting == null || !WITHOUT_SEPARATORS.contains(setting);
    }

    /** The setting {@code name} spells ({@code DYN_SYSTEM_PORT} for {@code port}), or the name itself. */
    private static String settingOrName(String name) {
        String setting = SettingNames.resolve(name);
        return setting == null ? name : setting;
    }

    /** The name in {@code settings} that sets what {@code name} sets ({@code port}, {@code DYN_SYSTEM_PORT}), or null. */
    private static String sameSetting(Map<String, String> settings, String name) {
        String setting = SettingNames.resolve(name);
        for (String given : settings.keySet()) {
            if (given.equals(name) || (setting != null && setting.equals(SettingNames.resolve(given)))) {
                return given;
            }
        }
        return null;
    }

    private static String encodeOne(String text) {
        try {
            // %20 rather than '+': the decoder leaves '+' alone, so values may contain it unescaped.
            return URLEncoder.encode(text, "UTF-8").replace("+", "%20");
        } catch (UnsupportedEncodingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /**
     * Decodes {@code %XX} escapes (UTF-8). A malformed escape stays as written, and so do escapes that do not
     * decode to UTF-8 text without control characters, which no setting holds: an IPv6 address's zone
     * ({@code host=fe80::1%99}, {@code fe80::1%12}) was decoded into a byte that is no character (a re-tester).
     */
    static String decodeOne(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        StringBuilder decoded = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            if (!isEscape(text, i)) {
                decoded.append(text.charAt(i));
                i++;
                continue;
            }
            int runEnd = i;
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            while (isEscape(text, runEnd)) {
                bytes.write(Integer.parseInt(text.substring(runEnd + 1, runEnd + 3), 16));
                runEnd += 3;
            }
            String run = textOf(bytes.toByteArray());
            decoded.append(run != null ? run : text.substring(i, runEnd));
            i = runEnd;
        }
        return decoded.toString();
    }

    private static boolean isEscape(String text, int at) {
        return at + 2 < text.length() && text.charAt(at) == '%' && isHex(text.charAt(at + 1)) && isHex(text.charAt(at + 2));
    }

    /** {@code bytes} as UTF-8 text, or null when they are not UTF-8 or hold a control character. */
    private static String textOf(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException notUtf8) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                return null;
            }
        }
        return text;
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }
}
