package dev.dynamo.agent.internal.webconfig;

/** A web configuration file that cannot be used; the message is one line naming what is wrong and what is accepted. */
public final class WebConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    WebConfigException(String message) {
        super(message);
    }

    WebConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    /** An error at {@code line} (1-based) of the file. */
    static WebConfigException atLine(int line, String message) {
        return new WebConfigException("line " + line + ": " + message);
    }
}
