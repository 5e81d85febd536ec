package dev.dynamo.it.spring;

/** The application's own failure, which the agent must count under this class's simple name. */
public class OrderRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OrderRejectedException(String message) {
        super(message);
    }
}
