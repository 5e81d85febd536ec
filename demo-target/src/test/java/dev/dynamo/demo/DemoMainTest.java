package dev.dynamo.demo;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoMainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) throws Exception {
        return DemoMain.run(args, new PrintStream(out, true, "UTF-8"), new PrintStream(err, true, "UTF-8"));
    }

    private String err() {
        return new String(err.toByteArray(), StandardCharsets.UTF_8);
    }

    @Test
    void printsTheUsageOfBothModesWithoutArguments() throws Exception {
        assertEquals(2, run());
        assertTrue(err().startsWith("usage: java -jar demo-target.jar <server|client> [options]"), err());
        assertTrue(err().contains(ServerOptions.USAGE));
        assertTrue(err().contains(ClientOptions.USAGE));
    }

    @Test
    void rejectsAnUnknownMode() throws Exception {
        assertEquals(2, run("serve"));
        assertTrue(err().startsWith("unknown mode 'serve'\nusage:"), err());
    }

    @Test
    void rejectsAnUnknownServerOptionWithTheServerUsage() throws Exception {
        assertEquals(2, run("server", "--verbose"));
        assertEquals("demo server: unknown option '--verbose'\n" + ServerOptions.USAGE, err().trim());
    }

    @Test
    void rejectsAnUnknownClientOptionWithTheClientUsage() throws Exception {
        assertEquals(2, run("client", "--requests", "3", "--slow"));
        assertEquals("demo client: unknown option '--slow'\n" + ClientOptions.USAGE, err().trim());
    }

    @Test
    void printsTheUsageOnStdoutWhenAskedForHelp() throws Exception {
        assertEquals(0, run("--help"));
        assertTrue(new String(out.toByteArray(), StandardCharsets.UTF_8).contains(ServerOptions.USAGE));
    }
}
