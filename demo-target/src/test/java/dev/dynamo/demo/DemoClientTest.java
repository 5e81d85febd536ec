package dev.dynamo.demo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class DemoClientTest {

    @Test
    void asksExactlyTheRequestedNumberOfRequestsToFail() {
        for (int requests = 1; requests <= 50; requests++) {
            for (int fail = 0; fail <= requests; fail++) {
                int failing = 0;
                for (int i = 0; i < requests; i++) {
                    failing += DemoClient.failsOnPurpose(i, requests, fail) ? 1 : 0;
                }
                assertEquals(fail, failing, requests + " requests, " + fail + " to fail");
            }
        }
    }

    @Test
    void spreadsTheFailuresInsteadOfBunchingThem() {
        assertFalse(DemoClient.failsOnPurpose(0, 10, 2));
        assertEquals(true, DemoClient.failsOnPurpose(4, 10, 2));
        assertEquals(true, DemoClient.failsOnPurpose(9, 10, 2));
    }
}
