package dev.dynamo.agent.internal.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingNamesTest {

    @Test
    void everyDynConstantOfAgentConfigIsASetting() throws IllegalAccessException {
        int constants = 0;
        for (Field field : AgentConfig.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class
                    && ((String) field.get(null)).startsWith("DYN_")) {
                constants++;
                String setting = (String) field.get(null);
                assertTrue(SettingNames.isSetting(setting), setting);
                assertEquals(setting, SettingNames.resolve(SettingNames.systemProperty(setting)), setting);
            }
        }
        assertEquals(constants, SettingNames.all().size(), "SettingNames.ALL lists each DYN_ constant of AgentConfig"
                + " once: " + SettingNames.all());
    }

    @ParameterizedTest
    @CsvSource({
        "DYN_SYSTEM_PORT, dyn.system.port, port",
        "DYN_SYSTEM_HOST, dyn.system.host, host",
        "DYN_SYSTEM_HEALTH_PATH, dyn.system.health.path, health.path",
        "DYN_SYSTEM_METRICS_PATH, dyn.system.metrics.path, metrics.path",
        "DYN_LOG, dyn.log, log",
        "DYN_NAMESPACE, dyn.namespace, namespace",
        "DYN_AGENT_ENABLED, dyn.agent.enabled, agent.enabled",
        "DYN_SYSTEM_ENABLED, dyn.system.enabled, enabled",
        "DYN_CONFIG_FILE, dyn.config.file, config.file",
    })
    void namesEachSettingThreeWays(String setting, String property, String shortName) {
        assertEquals(property, SettingNames.systemProperty(setting));
        assertEquals(shortName, SettingNames.shortName(setting));
        assertEquals(setting, SettingNames.resolve(setting));
        assertEquals(setting, SettingNames.resolve(property));
        assertEquals(setting, SettingNames.resolve(shortName));
        assertEquals(setting, SettingNames.resolve(shortName.replace('.', '_').toUpperCase()));
        assertEquals(setting, SettingNames.resolve(shortName.replace('.', '-')));
    }

    @Test
    void resolvesNothingForUnknownNames() {
        assertNull(SettingNames.resolve("prot"));
        assertNull(SettingNames.resolve("DYN_SYSTEM_PROT"));
        // Letters that Unicode's case mapping turns into ASCII ones ('ı' into 'I', 'ſ' into 'S'), as a tester found.
        assertNull(SettingNames.resolve("jvm.metr\u0131cs"));
        assertNull(SettingNames.resolve("DYN_\u017FYSTEM_PORT"));
        assertNull(SettingNames.resolve("dyn.unknown"));
        assertNull(SettingNames.resolve(""));
        assertNull(SettingNames.resolve(null));
    }

    @Test
    void listsTheAcceptedNames() {
        String accepted = SettingNames.describeAccepted();

        assertTrue(accepted.contains("DYN_SYSTEM_PORT (port)"), accepted);
        assertTrue(accepted.contains("DYN_LOG (log)"), accepted);
    }
}
