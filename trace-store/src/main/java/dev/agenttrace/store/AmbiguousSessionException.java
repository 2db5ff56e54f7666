package dev.agenttrace.store;

import java.util.List;

/**
 * A session-id prefix matches more than one session. Picking one would be a guess (agent-strace
 * took whichever the directory listing returned first), so this lists every match and asks for
 * more characters.
 */
public final class AmbiguousSessionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String prefix;
    private final List<String> matches;

    public AmbiguousSessionException(String prefix, List<String> matches, String message) {
        super(message);
        this.prefix = prefix;
        this.matches = List.copyOf(matches);
    }

    /** The prefix as given. */
    public String prefix() {
        return prefix;
    }

    /** Every session id that starts with {@link #prefix()}, newest first. */
    public List<String> matches() {
        return matches;
    }
}
