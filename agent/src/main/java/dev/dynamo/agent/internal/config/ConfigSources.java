package dev.dynamo.agent.internal.config;

import dev.dynamo.agent.internal.SettingFiles;
import dev.dynamo.agent.internal.attach.AgentArguments;

import java.io.IOException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Collects the settings from their four sources into one map of {@code DYN_*} names to values, the
 * first source that gives a non-empty value winning:
 *
 * <ol>
 *   <li>agent arguments ({@code -javaagent:dynamo-agent.jar=port=9000});</li>
 *   <li>system properties ({@code -Ddyn.system.port=9000}, or {@code -DDYN_SYSTEM_PORT=9000});</li>
 *   <li>the environment ({@code DYN_SYSTEM_PORT=9000});</li>
 *   <li>the properties file named by {@code DYN_CONFIG_FILE} (given by any of the three above).</li>
 * </ol>
 *
 * System properties are only read. Unknown names in the arguments, the {@code dyn.*} and {@code DYN_*} system
 * properties and the file are reported; unknown {@code DYN_*} variables are not, because the rest
 * of a Dynamo deployment uses that prefix too.
 *
 * <pre>{@code
 * ConfigSources sources = ConfigSources.read(arguments, System.getenv(), System.getProperties());
 * AgentConfig config = AgentConfig.fromEnvironment(sources.values());
 * }</pre>
 */
public final class ConfigSources {
    private static final String PROPERTY_PREFIX = "dyn.";
    private static final String ENVIRONMENT = "environment";
    private static final String UNSET = "unset ";
    /** How a setting's origin in the configuration file starts; the file's path follows. */
    private static final String FILE = "file ";

    private final Map<String, String> values;
    private final Map<String, String> origins;
    /**
     * Each setting's values from weaker sources than the one used, as {@link #removal} names them: removing
     * the one used gives the next, so advice to remove it names them too.
     */
    private final Map<String, List<String>> hidden;
    /** Each setting from the file, by its name as the file writes it ({@code port}). */
    private final Map<String, String> fileKeys;
    private final List<String> problems;

    private ConfigSources(Sink sink) {
        this.values = Collections.unmodifiableMap(sink.values);
        this.origins = Collections.unmodifiableMap(sink.origins);
        this.hidden = Collections.unmodifiableMap(sink.hidden);
        this.fileKeys = Collections.unmodifiableMap(sink.fileKeys);
        this.problems = Collections.unmodifiableList(sink.problems);
    }

    /** What the sources gave, while they are read. */
    private static final class Sink {
        final Map<String, String> values = new LinkedHashMap<String, String>();
        final Map<String, String> origins = new LinkedHashMap<String, String>();
        final Map<String, List<String>> hidden = new LinkedHashMap<String, List<String>>();
        final Map<String, String> fileKeys = new LinkedHashMap<String, String>();
        final List<String> problems = new ArrayList<String>();

        /** Keeps {@code value} unless a stronger source gave one already; empty counts as unset. */
        void offer(String setting, String value, String origin) {
            offer(setting, value, origin, null);
        }

        /** @param fileKey the setting's name as the file writes it; null for other sources */
        void offer(String setting, String value, String origin, String fileKey) {
            if (value == null || value.trim().isEmpty()) {
                return;
            }
            if (values.containsKey(setting)) {
                if (!sameEffect(values.get(setting), value)) {
                    // Removing the stronger one lets this one speak, which is what removing it is for.
                    return;
                }
                List<String> weaker = hidden.get(setting);
                if (weaker == null) {
                    weaker = new ArrayList<String>(1);
                    hidden.put(setting, weaker);
                }
                weaker.add(removal(setting, origin, fileKey));
                return;
            }
            values.put(setting, value);
            origins.put(setting, origin);
            if (fileKey != null) {
                fileKeys.put(setting, fileKey);
            }
        }
    }

    /** Reads every source; {@code systemProperties} is only read. */
    public static ConfigSources read(String agentArguments, Map<String, String> environment,
            Properties systemProperties) {
        Sink sink = new Sink();
        Map<String, String> arguments = AgentArguments.decode(agentArguments, sink.problems);
        for (Map.Entry<String, String> argument : arguments.entrySet()) {
            String setting = SettingNames.resolve(argument.getKey());
            if (setting == null) {
                sink.problems.add("agent argument '" + argument.getKey() + "' is not a setting; "
                        + SettingNames.describeAccepted() + ". It is ignored");
            } else {
                sink.offer(setting, argument.getValue(), "agent argument " + argument.getKey());
            }
        }

        readSystemProperties(systemProperties, sink);

        for (String setting : SettingNames.all()) {
            sink.offer(setting, environment.get(setting), ENVIRONMENT);
        }

        String file = sink.values.get(AgentConfig.CONFIG_FILE);
        if (file != null) {
            readFile(file.trim(), sink);
        }
        return new ConfigSources(sink);
    }

    /**
     * Each setting's system properties, in any of its spellings. One JVM can be given a setting twice (a
     * {@code JAVA_OPTS} and a chart's {@code -D}); the JVM keeps its properties in no order, so the documented
     * spellings go first, {@code dyn.system.port} then {@code DYN_SYSTEM_PORT}, then any other case
     * ({@code dyn.System.Port}) in name order, and one line says which is used.
     */
    private static void readSystemProperties(Properties systemProperties, Sink sink) {
        Map<String, String> values = sink.values;
        Map<String, String> origins = sink.origins;
        List<String> problems = sink.problems;
        List<String> names = new ArrayList<String>(systemProperties.stringPropertyNames());
        Collections.sort(names);
        Map<String, List<String>> bySetting = new LinkedHashMap<String, List<String>>();
        for (String name : names) {
            // -DDYN_SYSTEM_PORT=9000 too, the variable's name given as a property: before, it was ignored without a word.
            if (!name.toLowerCase(Locale.ROOT).startsWith(PROPERTY_PREFIX) && !name.startsWith(SettingNames.PREFIX)) {
                continue;
            }
            String setting = SettingNames.resolve(name);
            if (setting == null) {
                problems.add("system property '" + name + "' is not a setting; " + SettingNames.describeAccepted()
                        + ". It is ignored");
                continue;
            }
            List<String> spellings = bySetting.get(setting);
            if (spellings == null) {
                spellings = new ArrayList<String>(1);
                bySetting.put(setting, spellings);
            }
            spellings.add(name);
        }
        for (Map.Entry<String, List<String>> setting : bySetting.entrySet()) {
            List<String> spellings = documentedFirst(setting.getKey(), setting.getValue());
            List<String> given = new ArrayList<String>(spellings.size());
            for (String name : spellings) {
                String value = systemProperties.getProperty(name);
                if (value != null && !value.trim().isEmpty()) {
                    given.add(name + "=" + value);
                }
            }
            String stronger = values.get(setting.getKey());
            if (given.size() > 1) {
                // The JVM's own options take the last, but system properties keep no order: say which one is used.
                problems.add("system properties give " + setting.getKey() + " " + given.size() + " times ("
                        + String.join(", ", given) + "); " + (stronger == null ? given.get(0)
                        + " is used (dyn.lower.case first, then DYN_UPPER_CASE, then other spellings in name order)"
                        : setting.getKey() + "=" + stronger.trim() + " (" + origins.get(setting.getKey())
                        + ") wins over them"));
            }
            for (String name : spellings) {
                sink.offer(setting.getKey(), systemProperties.getProperty(name), "system property " + name);
            }
        }
    }

    /** {@code spellings}, in name order, with {@code dyn.system.port} first, then {@code DYN_SYSTEM_PORT}. */
    private static List<String> documentedFirst(String setting, List<String> spellings) {
        String documented = SettingNames.systemProperty(setting);
        List<String> ordered = new ArrayList<String>(spellings.size());
        if (spellings.contains(documented)) {
            ordered.add(documented);
        }
        if (spellings.contains(setting)) {
            ordered.add(setting);
        }
        for (String name : spellings) {
            if (!name.equals(documented) && !name.equals(setting)) {
                ordered.add(name);
            }
        }
        return ordered;
    }

    private static void readFile(String file, Sink sink) {
        Map<String, String> values = sink.values;
        Map<String, String> origins = sink.origins;
        List<String> problems = sink.problems;
        String fileSetting = ENVIRONMENT.equals(origins.get(AgentConfig.CONFIG_FILE)) ? AgentConfig.CONFIG_FILE
                : origins.get(AgentConfig.CONFIG_FILE);
        byte[] content;
        try {
            content = SettingFiles.read(Paths.get(file));
        } catch (IOException unreadable) {
            problems.add(fileSetting + "='" + file + "' cannot be read: " + unreadable.getMessage()
                    + "; use the path of a readable properties file (a regular file of at most "
                    + SettingFiles.MAX_SIZE_TEXT + "). The settings in it are not used");
            return;
        } catch (IllegalArgumentException | SecurityException unreadable) {
            problems.add(fileSetting + "='" + file + "' cannot be read (" + unreadable
                    + "); use the path of a readable properties file. The settings in it are not used");
            return;
        }
        List<ConfigFile.Entry> entries;
        try {
            entries = ConfigFile.entries(content);
        } catch (IllegalArgumentException malformed) {
            problems.add(fileSetting + "='" + file + "' cannot be read (" + malformed.getMessage()
                    + "); use the path of a readable properties file. The settings in it are not used");
            return;
        }
        // In the order of their first lines, each setting's lines: the last is used, as in the agent arguments.
        Map<String, List<ConfigFile.Entry>> bySetting = new LinkedHashMap<String, List<ConfigFile.Entry>>();
        String where = AgentConfig.CONFIG_FILE + " " + file + " line ";
        for (ConfigFile.Entry entry : entries) {
            String setting = SettingNames.resolve(entry.key());
            if (entry.notUtf8Byte() != null) {
                // Kept, the replacement character would become a label value (DYN_NAMESPACE) without a word.
                problems.add(where + entry.notUtf8Line() + ": " + entry.notUtf8Byte() + " is not UTF-8; the file must"
                        + " be UTF-8 (save it so, or write such characters as \\uXXXX escapes). The setting on this"
                        + " line, '" + entry.key() + "', is ignored");
            } else if (setting == null) {
                problems.add(where + entry.line() + ": '" + entry.key() + "' is not a setting; "
                        + SettingNames.describeAccepted() + ". It is ignored");
            } else if (setting.equals(AgentConfig.CONFIG_FILE)) {
                problems.add(where + entry.line() + ": '" + entry.key()
                        + "' cannot name another file from inside one. It is ignored");
            } else {
                List<ConfigFile.Entry> lines = bySetting.get(setting);
                if (lines == null) {
                    lines = new ArrayList<ConfigFile.Entry>();
                    bySetting.put(setting, lines);
                }
                lines.add(entry);
            }
        }
        for (Map.Entry<String, List<ConfigFile.Entry>> setting : bySetting.entrySet()) {
            List<ConfigFile.Entry> lines = setting.getValue();
            List<String> lineValues = new ArrayList<String>(lines.size());
            for (ConfigFile.Entry line : lines) {
                lineValues.add(line.value());
            }
            // A later empty line (a bare "port") does not take away the value of an earlier one: empty is unset.
            int used = SettingNames.lastWithAValue(lineValues);
            if (lines.size() > 1) {
                problems.add(AgentConfig.CONFIG_FILE + " " + file + ": " + givenMoreThanOnce(setting.getKey(), lines,
                        used, values.get(setting.getKey()), origins.get(setting.getKey())));
            }
            sink.offer(setting.getKey(), lines.get(used).value(), FILE + file, lines.get(used).key());
        }
    }

    /**
     * {@code DYN_SYSTEM_PORT is given twice (line 1 port=9000, then line 4 DYN_SYSTEM_PORT=9001); the last, line 4
     * DYN_SYSTEM_PORT=9001, is used}, or what a stronger source gave instead.
     */
    private static String givenMoreThanOnce(String setting, List<ConfigFile.Entry> lines, int used, String stronger,
            String strongerOrigin) {
        List<String> occurrences = new ArrayList<String>(lines.size());
        for (ConfigFile.Entry line : lines) {
            occurrences.add("line " + line.line() + " " + line.key() + "=" + line.value());
        }
        String repeated = SettingNames.givenMoreThanOnce(setting, occurrences, used);
        return stronger == null ? repeated + ", is used"
                : repeated + ", is the file's; " + setting + "=" + stronger.trim() + " (" + strongerOrigin
                        + ") wins over the file";
    }

    /** Each setting that was given, by its {@code DYN_*} name, with the value of the strongest source. */
    public Map<String, String> values() {
        return values;
    }

    /** Where each value of {@link #values()} came from, e.g. {@code system property dyn.system.port}. */
    public Map<String, String> origins() {
        return origins;
    }

    /**
     * {@code message}, about settings by their {@code DYN_*} names, with each setting from an agent argument or a
     * system property named as it was given ({@code agent argument enabled}, {@code system property
     * dyn.system.enabled}), and "unset" it said "remove", naming also the weaker sources that set it, which would
     * be used instead; a setting from the file keeps its {@code DYN_*} name, and the message says where in the
     * file it is and to remove it from there. Advice to unset a variable that is not set changed nothing (a
     * re-tester gave {@code -javaagent:dynamo-agent.jar=enabled=false,port=..}).
     */
    public String asGiven(String message) {
        String result = message;
        List<String> fromFile = new ArrayList<String>();
        String file = null;
        for (Map.Entry<String, String> origin : origins.entrySet()) {
            String setting = origin.getKey();
            String from = origin.getValue();
            if (!mentions(result, setting)) {
                continue;
            }
            StringBuilder removeIt = new StringBuilder(removal(setting, from, fileKeys.get(setting)));
            List<String> weaker = hidden.get(setting);
            if (weaker != null) {
                for (String below : weaker) {
                    removeIt.append(" and ").append(below);
                }
            }
            if (from.startsWith(FILE)) {
                String removed = replaceName(result, setting, setting, removeIt.toString());
                if (removed.equals(result)) {
                    String key = fileKeys.get(setting);
                    fromFile.add(key == null || key.equals(setting) ? setting : setting + " as " + key);
                    file = from;
                }
                result = removed;
            } else {
                result = replaceName(result, setting, from.equals(ENVIRONMENT) ? setting : from, removeIt.toString());
            }
        }
        return fromFile.isEmpty() ? result : result + " (set in " + file + ": " + String.join(", ", fromFile) + ")";
    }

    /** Whether two values of one setting mean the same: alike but for case and blanks, or the same truth value. */
    private static boolean sameEffect(String stronger, String weaker) {
        String a = stronger.trim().toLowerCase(Locale.ROOT);
        String b = weaker.trim().toLowerCase(Locale.ROOT);
        return a.equals(b) || (truth(a) != null && truth(a).equals(truth(b)));
    }

    /** The truth value a flag reads {@code value} as ({@link AgentConfig#TRUTHY}, {@link AgentConfig#FALSY}), or null. */
    private static Boolean truth(String value) {
        return AgentConfig.TRUTHY.contains(value) ? Boolean.TRUE : AgentConfig.FALSY.contains(value) ? Boolean.FALSE : null;
    }

    /** What to do to take away the value {@code origin} gives {@code setting}: "unset DYN_X", "remove ...". */
    private static String removal(String setting, String origin, String fileKey) {
        if (origin.equals(ENVIRONMENT)) {
            return UNSET + setting;
        }
        if (origin.startsWith(FILE)) {
            return "remove " + (fileKey == null ? setting : fileKey) + " from " + origin;
        }
        return "remove " + origin;
    }

    /** Whether {@code message} names {@code setting} as a whole name, not as the start of a longer one. */
    private static boolean mentions(String message, String setting) {
        return nextWholeName(message, setting, 0) >= 0;
    }

    /** {@code message} with each whole {@code name} as {@code given}, and each "unset name" as {@code removeIt}. */
    private static String replaceName(String message, String name, String given, String removeIt) {
        StringBuilder out = new StringBuilder();
        int from = 0;
        for (int at = nextWholeName(message, name, 0); at >= 0; at = nextWholeName(message, name, from)) {
            boolean unset = message.startsWith(UNSET, at - UNSET.length()) && at - UNSET.length() >= from;
            out.append(message, from, unset ? at - UNSET.length() : at).append(unset ? removeIt : given);
            from = at + name.length();
        }
        return out.append(message.substring(from)).toString();
    }

    /**
     * Where {@code name} next stands in {@code message} as a setting's name: a whole word that starts the message
     * or follows a blank or {@code (}, and is not inside a quoted value ({@code ='...'}): a value or a path that
     * holds a setting's name is the user's, and is quoted as given (a re-tester's {@code cfg/DYN_SYSTEM_WEB_CONFIG.yml}).
     */
    private static int nextWholeName(String message, String name, int from) {
        for (int at = message.indexOf(name, from); at >= 0; at = message.indexOf(name, at + 1)) {
            int end = at + name.length();
            boolean starts = at == 0 || message.charAt(at - 1) == ' ' || message.charAt(at - 1) == '(';
            boolean ends = end == message.length() || !isNameCharacter(message.charAt(end));
            if (starts && ends && !insideQuotedValue(message, at)) {
                return at;
            }
        }
        return -1;
    }

    /** Whether {@code at} is inside a value quoted as {@code ='...'}, which ends at a quote before a blank, a mark or the end. */
    private static boolean insideQuotedValue(String message, int at) {
        for (int open = message.indexOf("='"); open >= 0 && open < at; open = message.indexOf("='", open + 1)) {
            int close = open + 2;
            while (close < message.length() && !(message.charAt(close) == '\''
                    && (close + 1 == message.length() || " ;,:.)".indexOf(message.charAt(close + 1)) >= 0))) {
                close++;
            }
            if (at < close) {
                return true;
            }
            open = Math.max(open, close - 1);
        }
        return false;
    }

    private static boolean isNameCharacter(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    /** One message per argument, property or file entry that could not be used. */
    public List<String> problems() {
        return problems;
    }

    /** One line for the log: every given setting, its value and its source. */
    public String describe() {
        if (values.isEmpty()) {
            return "settings: none given, all defaults (see docs/configuration.md)";
        }
        StringBuilder out = new StringBuilder("settings: ");
        boolean first = true;
        for (Map.Entry<String, String> entry : values.entrySet()) {
            out.append(first ? "" : ", ").append(entry.getKey()).append('=').append(entry.getValue().trim())
                    .append(" (").append(origins.get(entry.getKey())).append(')');
            first = false;
        }
        return out.toString();
    }
}
