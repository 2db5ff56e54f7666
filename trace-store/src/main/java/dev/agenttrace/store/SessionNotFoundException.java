package dev.agenttrace.store;

import java.util.List;

/**
 * No session matches what the user typed (or the store is empty, or the id is not a valid one).
 * The message names the input, says what exists (the newest few ids) and how to list them all,
 * so a CLI or an MCP tool can show it as it is.
 */
public final class SessionNotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String query;
    private final List<String> candidates;

    public SessionNotFoundException(String query, List<String> candidates, String message) {
        super(message);
        this.query = query;
        this.candidates = List.copyOf(candidates);
    }

    /** What was asked for (an id, a prefix or "latest"). */
    public String query() {
        return query;
    }

    /** The newest session ids in the store, newest first (empty if the store is empty). */
    public List<String> candidates() {
        return candidates;
    }
}
