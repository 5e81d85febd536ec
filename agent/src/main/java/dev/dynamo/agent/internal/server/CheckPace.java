package dev.dynamo.agent.internal.server;

/**
 * What a long credential check (bcrypt) calls every millisecond or so of its work: the credential-check
 * thread pauses there when it has used its share of a core, and the check stops when its request's
 * deadline has passed. Without it one check of a high cost factor (31: days of CPU) held a whole core,
 * and every request waiting behind it, for as long as it ran (a re-tester).
 */
public interface CheckPace {
    /** For checks run outside the server (tests, tools): never pauses, never stops. */
    CheckPace UNPACED = () -> true;

    /** Pauses if the thread has used its share; false when the check is to stop, its answer no longer wanted. */
    boolean proceed();

    /** Thrown by a check whose {@link #proceed()} said to stop: the request is answered 503, not 401. */
    final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Stopped() {
            super("the credential check was stopped at its request's deadline", null, false, false);
        }
    }
}
