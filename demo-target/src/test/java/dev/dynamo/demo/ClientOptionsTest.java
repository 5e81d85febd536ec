package dev.dynamo.demo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClientOptionsTest {

    @Test
    void defaultsToTenSequentialRequestsToLocalPort8080() throws UsageException {
        ClientOptions options = ClientOptions.parse(new String[0]);

        assertEquals("127.0.0.1", options.host);
        assertEquals(8080, options.port);
        assertEquals(10, options.requests);
        assertEquals(0, options.fail);
        assertEquals(1, options.concurrency);
    }

    @Test
    void readsEveryOption() throws UsageException {
        ClientOptions options = ClientOptions.parse(new String[] {"--port", "9000", "--requests", "20", "--fail", "3",
            "--concurrency", "4", "--host", "localhost"});

        assertEquals("localhost", options.host);
        assertEquals(9000, options.port);
        assertEquals(20, options.requests);
        assertEquals(3, options.fail);
        assertEquals(4, options.concurrency);
    }

    @Test
    void rejectsMoreFailuresThanRequests() {
        UsageException bad = assertThrows(UsageException.class,
                () -> ClientOptions.parse(new String[] {"--requests", "2", "--fail", "3"}));

        assertEquals("--fail 3 is more than --requests 2", bad.getMessage());
    }

    @Test
    void rejectsPortZeroAndZeroConcurrency() {
        assertEquals("option --port must be between 1 and 65535, got 0",
                assertThrows(UsageException.class, () -> ClientOptions.parse(new String[] {"--port", "0"}))
                        .getMessage());
        assertEquals("option --concurrency must be between 1 and 1024, got 0",
                assertThrows(UsageException.class, () -> ClientOptions.parse(new String[] {"--concurrency", "0"}))
                        .getMessage());
    }

    @Test
    void rejectsAnUnknownOptionAndAStrayArgument() {
        assertEquals("unknown option '--max-requests'",
                assertThrows(UsageException.class, () -> ClientOptions.parse(new String[] {"--max-requests", "1"}))
                        .getMessage());
        assertEquals("unknown option '5'",
                assertThrows(UsageException.class, () -> ClientOptions.parse(new String[] {"5"})).getMessage());
    }
}
