package dev.dynamo.agent.internal.server;

/** A request the server cannot parse: the status to answer and what was wrong, for the server's log only. */
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
