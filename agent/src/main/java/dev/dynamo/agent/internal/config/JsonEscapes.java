package dev.dynamo.agent.internal.config;

/**
 * The one-character backslash escapes of JSON strings, which YAML's double-quoted scalars have
 * too: decoded here for both readers, {@code EndpointList} and the web config's {@code YamlSubset}.
 */
public final class JsonEscapes {

    private JsonEscapes() {
    }

    /** The character {@code \c} stands for, or -1 when JSON has no one-character escape {@code \c}. */
    public static int decode(char c) {
        switch (c) {
            case '"':
            case '\\':
            case '/':
                return c;
            case 'n':
                return '\n';
            case 't':
                return '\t';
            case 'r':
                return '\r';
            case 'b':
                return '\b';
            case 'f':
                return '\f';
            default:
                return -1;
        }
    }
}
