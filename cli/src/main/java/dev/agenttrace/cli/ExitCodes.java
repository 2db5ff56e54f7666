package dev.agenttrace.cli;

/**
 * Exit codes of the {@code agent-trace} command. {@code record} exits with the server's own code
 * (128+N when a signal N ended it), so a client sees what it would see without the proxy.
 */
public final class ExitCodes {
    /** Done. */
    public static final int OK = 0;
    /** Something failed that is not the user's input (an I/O error, a bug). */
    public static final int FAILURE = 1;
    /** The user's input is wrong: an unknown option, a missing or ambiguous session, a bad file. */
    public static final int USAGE = 2;
    /**
     * The check ran over everything it was given and found what it looks for: policy violations
     * ({@code audit}), calls a new policy blocks that the old one did not ({@code policy diff}), a
     * call the policy blocks ({@code policy explain}), critical findings, or warnings with
     * {@code --strict} ({@code lint}), agents or MCP servers running unguarded or unapproved
     * ({@code audit-tools}). Kept apart from {@link #FAILURE} so that CI can tell "the agent broke
     * a rule" from "the check could not run": when part of the input could not be read, the exit
     * is {@link #FAILURE} whatever was found in the rest.
     */
    public static final int FOUND = 3;
    /** record: the server command could not be started (not found, not executable). */
    public static final int CANNOT_START = 127;

    private ExitCodes() {
    }
}
