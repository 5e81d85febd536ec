package dev.dynamo.demo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ServerOptionsTest {

    @Test
    void defaultsToPort8080OnAllInterfacesRunningUntilStopped() throws UsageException {
        ServerOptions options = ServerOptions.parse(new String[0]);

        assertEquals("0.0.0.0", options.host);
        assertEquals(8080, options.port);
        assertEquals(0, options.maxRequests);
    }

    @Test
    void readsEveryOption() throws UsageException {
        ServerOptions options = ServerOptions.parse(
                new String[] {"--port", "0", "--host", "127.0.0.1", "--max-requests", "5"});

        assertEquals("127.0.0.1", options.host);
        assertEquals(0, options.port);
        assertEquals(5, options.maxRequests);
    }

    @Test
    void rejectsAnUnknownOptionByName() {
        UsageException bad = assertThrows(UsageException.class,
                () -> ServerOptions.parse(new String[] {"--requests", "3"}));

        assertEquals("unknown option '--requests'", bad.getMessage());
    }

    @Test
    void rejectsAPortThatIsNotANumberOrOutOfRange() {
        assertEquals("option --port needs an integer, got 'http'",
                assertThrows(UsageException.class, () -> ServerOptions.parse(new String[] {"--port", "http"}))
                        .getMessage());
        assertEquals("option --port must be between 0 and 65535, got 70000",
                assertThrows(UsageException.class, () -> ServerOptions.parse(new String[] {"--port", "70000"}))
                        .getMessage());
    }

    @Test
    void rejectsAnOptionWithoutItsValue() {
        UsageException bad = assertThrows(UsageException.class, () -> ServerOptions.parse(new String[] {"--port"}));

        assertEquals("option --port needs a value", bad.getMessage());
    }
}
