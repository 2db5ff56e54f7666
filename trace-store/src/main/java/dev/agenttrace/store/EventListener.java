package dev.agenttrace.store;

/**
 * Sees what the store writes, as it writes it: the tee point for live export. Called on the
 * {@link EventTee}'s own thread, never on a relay thread nor on the writer thread, so a slow
 * listener costs its own events (dropped and counted by the tee), never forwarding or the trace.
 */
public interface EventListener {
    /** A session was opened; {@code meta} is a copy the listener may keep. */
    void sessionStarted(SessionMeta meta);

    /**
     * One event as written to disk (redacted first when redaction is on). {@code sidecar} is true
     * for a {@code messages.ndjson} record (the wire log), false for an {@code events.ndjson} line.
     */
    void event(TraceEvent event, boolean sidecar);

    /**
     * The session's meta gained an attribution key (the MCP session id, the protocol version, a
     * client name): {@code meta} is a copy, in order with the events.
     */
    default void metaChanged(SessionMeta meta) {
    }

    /** The session's last event was written; {@code meta} is its final meta (a copy). */
    void sessionEnded(SessionMeta meta);

    /** The tee stopped; flush and release what the listener holds. */
    default void close() {
    }
}
