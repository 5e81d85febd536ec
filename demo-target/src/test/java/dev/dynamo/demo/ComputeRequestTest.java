package dev.dynamo.demo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ComputeRequestTest {

    @Test
    void parsesKeysInAnyOrderWithWhitespace() {
        ComputeRequest request = ComputeRequest.parse(" {\n \"values\" : [ 1.5, -2 , 3e2 ] ,\t\"id\": 42 } ");

        assertEquals(42, request.id);
        assertArrayEquals(new double[] {1.5, -2, 300}, request.values);
    }

    @Test
    void readsBackWhatItWrites() {
        ComputeRequest sample = ComputeRequest.sample(7);

        ComputeRequest parsed = ComputeRequest.parse(sample.toJson());

        assertEquals(7, parsed.id);
        assertArrayEquals(sample.values, parsed.values);
    }

    @Test
    void samplesAreDeterministicPerId() {
        assertArrayEquals(ComputeRequest.sample(3).values, ComputeRequest.sample(3).values);
        assertEquals(64, ComputeRequest.sample(3).values.length);
    }

    @Test
    void rejectsMalformedBodiesSayingWhere() {
        assertEquals("bad request body at character 0: expected '{'",
                assertThrows(IllegalArgumentException.class, () -> ComputeRequest.parse("[1]")).getMessage());
        assertEquals("bad request body at character 10: the object needs both \"id\" and \"values\"",
                assertThrows(IllegalArgumentException.class, () -> ComputeRequest.parse("{\"id\": 1 }")).getMessage());
        assertEquals("bad request body at character 19: \"values\" must not be empty",
                assertThrows(IllegalArgumentException.class,
                        () -> ComputeRequest.parse("{\"id\":1,\"values\":[]}")).getMessage());
        assertEquals("bad request body at character 21: not a number: 1.2.3",
                assertThrows(IllegalArgumentException.class,
                        () -> ComputeRequest.parse("{\"id\":1,\"values\":[1, 1.2.3]}")).getMessage());
        assertEquals("bad request body at character 1: unexpected key \"name\" (expected \"id\" and \"values\","
                        + " once each)",
                assertThrows(IllegalArgumentException.class,
                        () -> ComputeRequest.parse("{\"name\": 1}")).getMessage());
        assertEquals("bad request body at character 21: unexpected text after the object",
                assertThrows(IllegalArgumentException.class,
                        () -> ComputeRequest.parse("{\"id\":1,\"values\":[1]}x")).getMessage());
    }

    @Test
    void rejectsAFractionalIdAndARepeatedKey() {
        assertEquals("bad request body at character 6: \"id\" must be an integer, got 1.5",
                assertThrows(IllegalArgumentException.class, () -> ComputeRequest.parse("{\"id\":1.5}")).getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ComputeRequest.parse("{\"id\":1,\"id\":2,\"values\":[1]}"));
    }
}
