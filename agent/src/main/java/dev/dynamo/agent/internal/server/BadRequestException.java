package dev.dynamo.agent.internal.server;

/**
 * A request the server cannot parse: the status to answer and what was wrong, in fixed words that
 * never hold anything the client sent: the message is logged and is the response body too.
 */
final class BadRequestException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;

    BadRequestException(int status, String problem) {
        super(problem, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }
}
