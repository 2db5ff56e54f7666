package dev.agenttrace.store.query;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.analysis.EventFacts;
import java.util.HashMap;
import java.util.Map;

/**
 * The tools of the calls seen so far in one session, so that a result or an error that does not
 * name its tool can be found by tool name. agent-strace's stdio proxy writes {@code tool_result}
 * with only a {@code parent_id} (the call's event id) and a JSON-RPC {@code error} with only the
 * {@code request_id}; its hooks, and agent-trace, write the tool name on both.
 */
public final class ToolLinks {
    private final Map<String, String> byEventId = new HashMap<>();
    private final Map<String, String> byRequestId = new HashMap<>();

    /** Learns from a call (call it for every event read, in order, before judging it). */
    public void see(TraceEvent e) {
        if (!EventTypes.TOOL_CALL.equals(e.eventType())) {
            return;
        }
        String tool = EventFacts.toolName(e);
        if (tool == null) {
            return;
        }
        if (e.eventId() != null) {
            byEventId.put(e.eventId(), tool);
        }
        String rid = requestKey(e);
        if (rid != null) {
            byRequestId.put(rid, tool); // a later call with a reused id answers for it from now on
        }
    }

    /** The tool an event names, or the tool of the call it answers; null when neither is known. */
    public String toolOf(TraceEvent e) {
        String tool = EventFacts.toolName(e);
        if (tool != null) {
            return tool;
        }
        if (e.parentId() != null) {
            tool = byEventId.get(e.parentId());
            if (tool != null) {
                return tool;
            }
        }
        if (EventTypes.TOOL_CALL.equals(e.eventType())) {
            return null;
        }
        String rid = requestKey(e);
        return rid == null ? null : byRequestId.get(rid);
    }

    /** {@code 3} and {@code "3"} are different JSON-RPC ids: the key keeps them apart. */
    private static String requestKey(TraceEvent e) {
        JsonNode d = e.data();
        JsonNode id = d == null ? null : d.get("request_id");
        if (id == null || id.isNull() || id.isContainerNode()) {
            return null;
        }
        return id.isTextual() ? "s:" + id.asText() : "n:" + id.asText();
    }
}
