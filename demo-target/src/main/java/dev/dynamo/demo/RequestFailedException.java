package dev.dynamo.demo;

/** Thrown by the handler when the client asked for a failure; the agent counts it by this class's name. */
final class RequestFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RequestFailedException(String message) {
        super(message);
    }
}
