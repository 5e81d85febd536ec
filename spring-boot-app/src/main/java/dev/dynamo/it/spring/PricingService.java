package dev.dynamo.it.spring;

import dev.dynamo.runtime.DynamoEndpoint;
import jakarta.validation.constraints.Min;
import org.springframework.stereotype.Service;
import org.springframework.validation.annotation.Validated;

/**
 * A service that Spring wraps in a CGLIB subclass for method validation: a call through the proxy
 * must still count once, under this class's name, and a call the proxy refuses never reaches it.
 */
@Service
@Validated
public class PricingService {
    @DynamoEndpoint(namespace = "spring")
    public String price(@Min(1) int quantity) {
        return "price " + quantity * 3;
    }
}
