package dev.dynamo.agent.internal;

import dev.dynamo.agent.internal.config.AgentConfig;
import org.junit.jupiter.api.Test;

import java.net.BindException;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsServerStartTest {

    private static AgentConfig config(String host, String port) {
        Map<String, String> env = new HashMap<String, String>();
        env.put("DYN_SYSTEM_HOST", host);
        env.put("DYN_SYSTEM_PORT", port);
        return AgentConfig.fromEnvironment(env);
    }

    @Test
    void tellsAnAddressOfAnotherMachineFromATakenPort() {
        String foreign = MetricsServerStart.bindFailure(config("10.255.255.1", "9000"), "10.255.255.1:9000",
                new BindException("Cannot assign requested address"));
        String taken = MetricsServerStart.bindFailure(config("127.0.0.1", "9000"), "127.0.0.1:9000",
                new BindException("Address already in use"));

        assertTrue(foreign.contains("10.255.255.1 is not an address of this machine; set DYN_SYSTEM_HOST"), foreign);
        assertTrue(!foreign.contains("in use"), foreign);
        assertTrue(taken.contains("port 9000 is already in use; set DYN_SYSTEM_PORT"), taken);
        assertTrue(taken.endsWith("The application runs on without the metrics server"), taken);
    }

    @Test
    void namesAPrivilegedPort() {
        String denied = MetricsServerStart.bindFailure(config("0.0.0.0", "80"), "0.0.0.0:80",
                new BindException("Permission denied"));

        assertTrue(denied.contains("port 80 needs privileges"), denied);
    }
}
