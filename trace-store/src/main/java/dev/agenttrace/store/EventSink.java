package dev.agenttrace.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The writer thread's view of a session, handed to {@link SessionWriter#submit work}. Only ever
 * used on that thread, so implementations need no locks.
 */
public interface EventSink {
    String sessionId();

    /** A fresh 12-hex event id. */
    String newEventId();

    /**
     * Appends one event to {@code events.ndjson} (redacted first when redaction is on). The type
     * must be one of {@link EventTypes#AGENT_STRACE}.
     */
    void append(TraceEvent event);

    /** Appends one record to the sidecar {@code messages.ndjson} (redacted first when on). */
    void appendMessage(TraceEvent record);

    /** The live meta; changes are written (atomically, throttled) after the current work item. */
    SessionMeta meta();

    /** Call after changing {@link #meta()} so it is rewritten. */
    void metaChanged();

    /** Store options in force (payload limit, redaction). */
    StoreOptions options();

    /** Convenience: an empty object node for event data. */
    ObjectNode newData();
}
