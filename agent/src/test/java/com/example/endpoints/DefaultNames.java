package com.example.endpoints;

import dev.dynamo.runtime.DynamoEndpoint;

/** Uses the annotation's defaults: namespace from the agent's setting, this class's simple name, the method's name. */
public class DefaultNames {
    @DynamoEndpoint
    public int generate(int tokens) {
        return tokens + 1;
    }
}
