package dev.agenttrace.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.query.TraceQueries;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Events as the tools return them: agent-strace's event dict (every key present, null where the
 * event has none, {@code _session_id} on search hits) and a one-line-per-event readable timeline.
 */
final class EventText {
    /** Events spelled out in the text (all of them are in the structured content). */
    private static final int TEXT_EVENTS = 100;
    /** Characters of an argument or result kept in the text: enough to see a path, a command, an error. */
    private static final int CLIP = 500;

    private EventText() {
    }

    static ObjectNode json(TraceEvent e, String sessionId, long line) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        putNullable(o, "event_id", e.eventId());
        o.put("event_type", e.eventType());
        o.put("timestamp", e.timestamp());
        putNullable(o, "session_id", e.sessionId());
        putNullable(o, "parent_id", e.parentId());
        if (e.durationMs() == null) {
            o.putNull("duration_ms");
        } else {
            o.put("duration_ms", e.durationMs());
        }
        o.set("data", e.data() == null ? JsonNodeFactory.instance.objectNode() : e.data());
        if (sessionId != null) {
            o.put("_session_id", sessionId);
            o.put("_line", line);
        }
        return o;
    }

    static void timeline(StringBuilder t, List<TraceQueries.Hit> hits, boolean withSession) {
        int n = 0;
        for (TraceQueries.Hit h : hits) {
            if (n++ == TEXT_EVENTS) {
                t.append("... ").append(hits.size() - TEXT_EVENTS).append(" more in the structured content\n");
                break;
            }
            TraceEvent e = h.event();
            t.append("  ").append(time(e.timestamp()));
            if (withSession) {
                t.append("  ").append(h.sessionId());
            }
            t.append("  ").append(String.format(Locale.ROOT, "%-14s", e.eventType())).append(' ').append(describe(e));
            if (e.eventId() != null) {
                t.append("  [event ").append(e.eventId()).append(e.parentId() != null ? " for " + e.parentId() : "").append(']');
            }
            t.append('\n');
        }
    }

    private static String describe(TraceEvent e) {
        JsonNode d = e.data();
        if (d == null) {
            return "";
        }
        String dur = e.durationMs() == null ? "" : String.format(Locale.ROOT, " (%.1f ms)", e.durationMs());
        String tool = d.path("tool_name").asText("");
        switch (e.eventType()) {
            case "tool_call":
                return tool + " " + clip(String.valueOf(d.get("arguments")), CLIP);
            case "tool_result":
                return (d.path("is_error").asBoolean(false) ? "ERROR " : "") + tool + dur + " "
                        + clip(d.has("content_preview") ? d.get("content_preview").asText() : d.path("result").asText(""), CLIP);
            case "error":
                return tool + (d.has("code") ? " [" + d.get("code").asText() + "]" : "") + " "
                        + clip(d.has("message") ? d.get("message").asText() : d.path("error").asText(""), CLIP) + dur;
            case "file_read":
            case "file_write":
                return d.path("uri").asText(d.path("file_path").asText(""));
            case "user_prompt":
                return clip(d.path("prompt").asText(""), CLIP);
            case "assistant_response":
                return clip(d.path("text").asText(""), CLIP);
            default:
                return clip(d.toString(), CLIP);
        }
    }

    static String time(JsonNode epoch) {
        return epoch == null || !epoch.isNumber() ? "?" : time(epoch.asDouble());
    }

    private static String time(double epoch) {
        return Instant.ofEpochMilli((long) (epoch * 1000)).toString();
    }

    static String text(JsonNode o, String key, String dflt) {
        JsonNode v = o.get(key);
        return v == null || v.isNull() ? dflt : v.asText();
    }

    static void putNullable(ObjectNode o, String k, String v) {
        if (v == null) {
            o.putNull(k);
        } else {
            o.put(k, v);
        }
    }

    static String clip(String s, int max) {
        String one = s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
        return one.length() <= max ? one : one.substring(0, max - 1) + "…";
    }
}
