package dev.agenttrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.SessionMeta;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Small text helpers shared by the read-only commands. */
final class Format {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private Format() {
    }

    static String time(Double epochSeconds) {
        if (epochSeconds == null) {
            return "?";
        }
        return TIME.format(Instant.ofEpochMilli((long) (epochSeconds * 1000)));
    }

    static String duration(double ms) {
        if (ms < 1) {
            return String.format("%.3f ms", ms);
        }
        if (ms < 1000) {
            return String.format("%.1f ms", ms);
        }
        if (ms < 120_000) {
            return String.format("%.2f s", ms / 1000);
        }
        return String.format("%.1f min", ms / 60_000);
    }

    static String clip(String s, int max) {
        if (s == null) {
            return "";
        }
        String one = s.replace('\n', ' ').replace('\r', ' ');
        return one.length() <= max ? one : one.substring(0, max - 1) + "…";
    }

    static String compact(JsonNode n) {
        return n == null ? "" : n.toString();
    }

    static ObjectNode metaJson(SessionMeta s) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("session_id", s.sessionId);
        if (s.startedAt != null) {
            o.put("started_at", s.startedAt);
        }
        if (s.endedAt != null) {
            o.put("ended_at", s.endedAt);
        }
        o.put("agent_name", s.agentName);
        o.put("command", s.command);
        o.put("tool_calls", s.toolCalls);
        o.put("llm_requests", s.llmRequests);
        o.put("errors", s.errors);
        o.put("total_tokens", s.totalTokens);
        o.put("total_duration_ms", s.totalDurationMs);
        if (s.damage != null) {
            o.put("damaged", s.damage);
        }
        if (s.parentSessionId != null) {
            o.put("parent_session_id", s.parentSessionId);
        }
        if (s.depth != 0) {
            o.put("depth", s.depth);
        }
        o.set("attribution", s.attribution);
        return o;
    }
}
