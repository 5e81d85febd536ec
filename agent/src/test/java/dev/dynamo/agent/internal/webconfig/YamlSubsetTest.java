package dev.dynamo.agent.internal.webconfig;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class YamlSubsetTest {

    private static String doubleQuoted(String yamlBody) throws WebConfigException {
        YamlNode value = YamlSubset.parse("value: \"" + yamlBody + "\"\n").entries.get("value").value;
        return ((YamlNode.Scalar) value).text;
    }

    @Test
    void decodesTheEscapesOfJsonStringsInDoubleQuotedValues() throws WebConfigException {
        assertEquals("\" \\ / \n\t\r\b\f A", doubleQuoted("\\\" \\\\ \\/ \\n\\t\\r\\b\\f \\u0041"));
    }

    @Test
    void decodesTheEscapesOnlyYamlHas() throws WebConfigException {
        assertEquals("\0 A\uD83D\uDE00", doubleQuoted("\\0\\ \\x41\\U0001F600"));
    }
}
