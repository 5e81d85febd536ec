package dev.dynamo.demo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ComputeResultTest {

    @Test
    void computesTheStatisticsOfTheValues() {
        ComputeResult result = ComputeResult.of(new ComputeRequest(9, new double[] {4, 1, 3, 2}));

        assertEquals(9, result.id);
        assertEquals(4, result.count);
        assertEquals(10.0, result.sum);
        assertEquals(2.5, result.mean);
        assertEquals(1.0, result.min);
        assertEquals(4.0, result.max);
        assertEquals(2.5, result.median);
        assertEquals(Math.sqrt(1.25), result.stddev, 1e-12);
    }

    @Test
    void takesTheMiddleValueAsMedianOfAnOddCount() {
        assertEquals(5.0, ComputeResult.of(new ComputeRequest(1, new double[] {9, 5, 1})).median);
    }

    @Test
    void repliesWithEveryStatisticAsJson() {
        String json = ComputeResult.of(new ComputeRequest(2, new double[] {1, 3})).toJson();

        assertEquals("{\"id\":2,\"count\":2,\"sum\":4.0,\"mean\":2.0,\"min\":1.0,\"max\":3.0,\"median\":2.0,"
                + "\"stddev\":1.0}", json);
    }
}
