package dev.dynamo.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void picksPortsTheKernelDoesNotHandOutToPortZeroAndEachOnce() {
        int[] ephemeral = FreePorts.ephemeralRange();
        Set<Integer> picked = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int port = FreePorts.pick();
            assertTrue(port < ephemeral[0] || port > ephemeral[1],
                    port + " lies in the ephemeral range " + ephemeral[0] + "-" + ephemeral[1]);
            assertTrue(FreePorts.isFree(port), port + " is taken");
            picked.add(port);
        }
        assertEquals(200, picked.size(), "a port was handed out twice");
    }
}
