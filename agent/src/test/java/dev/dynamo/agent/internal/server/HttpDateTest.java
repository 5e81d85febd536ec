package dev.dynamo.agent.internal.server;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HttpDateTest {
    @Test
    void writesTheImfFixdateOfRfc9110() {
        assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", HttpDate.at(784_111_777_000L));
        assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", HttpDate.at(0));
        assertEquals("Tue, 29 Feb 2028 23:59:59 GMT", HttpDate.at(1_835_481_599_999L));
    }
}
