package dev.agenttrace.cli;

/** A mistake in what the user asked for; printed as one line, exit code {@link ExitCodes#USAGE}. */
final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UserError(String message) {
        super(message);
    }
}
