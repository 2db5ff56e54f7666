package dev.agenttrace.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One line of {@code events.ndjson}, as the Python agent-strace writes it.
 *
 * <p>Serialised key order is {@code event_type, timestamp, event_id, session_id, parent_id,
 * duration_ms, data}; null and empty-string fields are omitted. {@code data} is owned by the event
 * once it is handed to a {@link SessionWriter}: do not mutate it afterwards.
 *
 * @param eventType  one of {@link EventTypes}, or any string a newer writer used
 * @param timestamp  epoch seconds
 * @param eventId    12 hex characters
 * @param sessionId  the session this event belongs to
 * @param parentId   the event this one answers (a result or error links to its call), or null
 * @param durationMs time since the parent event, or null
 * @param data       producer-specific payload, never null
 */
public record TraceEvent(String eventType, double timestamp, String eventId, String sessionId,
                         String parentId, Double durationMs, ObjectNode data) {
}
