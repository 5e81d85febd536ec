package dev.dynamo.agent.internal.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The names a setting goes by. Every {@code public static final String} constant of
 * {@link AgentConfig} whose value starts with {@code DYN_} is a setting, listed once more in
 * {@link #ALL} ({@code SettingNamesTest} fails for a constant missing there); each gets all its
 * forms:
 *
 * <pre>{@code
 * DYN_SYSTEM_PORT          environment variable, file key, agent argument
 * dyn.system.port          system property, file key, agent argument
 * port                     agent argument and file key (the name without DYN_SYSTEM_ or DYN_)
 * }</pre>
 */
public final class SettingNames {
    static final String PREFIX = "DYN_";
    private static final String SYSTEM_PREFIX = "DYN_SYSTEM_";
    /**
     * In the order error messages list them. Written out rather than read from {@code AgentConfig}
     * by reflection: on JDK 18 and later reading fields by reflection builds method handles, several
     * milliseconds of every start.
     */
    private static final List<String> ALL = Collections.unmodifiableList(Arrays.asList(
            AgentConfig.AGENT_ENABLED, AgentConfig.AGENT_MAIN, AgentConfig.CONFIG_FILE,
            AgentConfig.METRICS_PATH_SETTING, AgentConfig.SYSTEM_PORT, AgentConfig.SYSTEM_ENABLED,
            AgentConfig.SYSTEM_HOST, AgentConfig.HEALTH_PATH, AgentConfig.LIVE_PATH,
            AgentConfig.STARTING_HEALTH_STATUS, AgentConfig.JVM_METRICS, AgentConfig.JVM_DEADLOCK_DETECTION,
            AgentConfig.NAMESPACE, AgentConfig.LOG, AgentConfig.USE_ENDPOINT_HEALTH_STATUS,
            AgentConfig.METRICS_MAX_SERIES, AgentConfig.METRICS_MAX_FAMILIES, AgentConfig.SYSTEM_REQUEST_TIMEOUT_MS,
            AgentConfig.WEB_CONFIG, AgentConfig.LIVE_REQUIRES_AUTH));
    /** How many occurrences of a setting given more often {@link #givenMoreThanOnce} shows before the last. */
    private static final int SHOWN_REPEATS = 3;
    /** Short name to setting; a short name two settings would share belongs to neither. */
    private static final Map<String, String> SHORT = shortNames(ALL);

    private SettingNames() {
    }

    /**
     * {@code DYN_SYSTEM_PORT is given 3 times (port=9000, dyn.system.port=9001, then DYN_SYSTEM_PORT=9002); the
     * last, DYN_SYSTEM_PORT=9002}, for the caller to say what became of it. {@code occurrences} are as written,
     * in order; past {@link #SHOWN_REPEATS} the middle ones are only counted: a 1 MiB file may repeat one setting
     * 100,000 times, which is one line of the log, not one of 2 MB.
     */
    public static String givenMoreThanOnce(String setting, List<String> occurrences) {
        return givenMoreThanOnce(setting, occurrences, occurrences.size() - 1);
    }

    /**
     * As {@link #givenMoreThanOnce(String, List)}, naming occurrence {@code used} as the one taken: the last with a
     * value, when later ones are empty ({@code port=9000, then port=}: an empty value counts as unset, so it does not
     * take away the value given before it).
     */
    public static String givenMoreThanOnce(String setting, List<String> occurrences, int used) {
        int count = occurrences.size();
        StringBuilder out = new StringBuilder(setting).append(" is given ")
                .append(count == 2 ? "twice" : count + " times").append(" (");
        for (int i = 0; i < count; i++) {
            if (i == SHOWN_REPEATS && count > SHOWN_REPEATS + 1) {
                out.append(", ... ").append(count - SHOWN_REPEATS - 1).append(" more");
                i = count - 1;
            }
            out.append(i == 0 ? "" : i == count - 1 ? ", then " : ", ").append(occurrences.get(i));
        }
        out.append(used == count - 1 ? "); the last, " : "); the last with a value (an empty one counts as unset), ");
        return out.append(occurrences.get(used)).toString();
    }

    /**
     * Which of a setting's values, in the order given, is used: the last that is not empty, or the last of all when
     * every one is empty.
     */
    public static int lastWithAValue(List<String> values) {
        for (int i = values.size() - 1; i >= 0; i--) {
            if (!values.get(i).trim().isEmpty()) {
                return i;
            }
        }
        return values.size() - 1;
    }

    /** Every setting's environment-variable name, in declaration order. */
    public static List<String> all() {
        return ALL;
    }

    /** Whether {@code name} is a setting's environment-variable name. */
    public static boolean isSetting(String name) {
        return ALL.contains(name);
    }

    /** {@code dyn.system.port} for {@code DYN_SYSTEM_PORT}. */
    public static String systemProperty(String setting) {
        return setting.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** {@code port} for {@code DYN_SYSTEM_PORT}; null when the setting has no short name. */
    public static String shortName(String setting) {
        for (Map.Entry<String, String> entry : SHORT.entrySet()) {
            if (entry.getValue().equals(setting)) {
                return entry.getKey();
            }
        }
        return null;
    }

    /**
     * The setting {@code key} names in any of its spellings ({@code DYN_SYSTEM_PORT},
     * {@code dyn.system.port}, {@code port}, {@code health_path}, {@code health-path}, any case),
     * or null when it names none.
     */
    public static String resolve(String key) {
        if (key == null) {
            return null;
        }
        for (int i = 0; i < key.length(); i++) {
            if (key.charAt(i) > 0x7F) {
                // Unicode's case mapping would read 'ı' (U+0131) as 'I' and 'ſ' (U+017F) as 'S'.
                return null;
            }
        }
        String normalized = key.trim().toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        if (normalized.startsWith(PREFIX)) {
            return ALL.contains(normalized) ? normalized : null;
        }
        return SHORT.get(normalized.toLowerCase(Locale.ROOT).replace('_', '.'));
    }

    /** A sentence listing the accepted names, for error messages. */
    public static String describeAccepted() {
        StringBuilder out = new StringBuilder();
        for (String setting : ALL) {
            out.append(out.length() == 0 ? "" : ", ").append(setting);
            String shortName = shortName(setting);
            if (shortName != null) {
                out.append(" (").append(shortName).append(')');
            }
        }
        return "accepted: " + out + "; each also as dyn.lower.case";
    }

    private static Map<String, String> shortNames(List<String> settings) {
        Map<String, String> shortNames = new LinkedHashMap<String, String>();
        List<String> shared = new ArrayList<String>();
        for (String setting : settings) {
            String bare = setting.startsWith(SYSTEM_PREFIX) ? setting.substring(SYSTEM_PREFIX.length())
                    : setting.substring(PREFIX.length());
            String shortName = bare.toLowerCase(Locale.ROOT).replace('_', '.');
            if (shortNames.containsKey(shortName)) {
                shared.add(shortName);
            }
            shortNames.put(shortName, setting);
        }
        for (String name : shared) {
            shortNames.remove(name);
        }
        return Collections.unmodifiableMap(shortNames);
    }
}
