package dev.agenttrace.rules.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a proxy (stdio or HTTP) does with a client message once the watch has seen its events:
 * forward it, or, when the session is blocked and the message holds tool calls, answer them here.
 * Transport-neutral: bytes in, bytes out.
 */
public final class WatchGate {
    private WatchGate() {
    }

    /**
     * The answer for a blocked session's tool calls.
     *
     * @param forward   what still goes to the server (the other elements of a batch), or null
     * @param reply     the blocked result(s) for the client (a batch answers with a batch)
     * @param decisions events to record: a {@code watch_block} decision for each refused call but
     *                  the one that tripped the rule (its alert already says it was refused)
     * @param tools     the refused tools, for a line on stderr
     */
    public record Refusal(byte[] forward, byte[] reply, List<TraceEvent> decisions, List<String> tools, Block block) {
    }

    /**
     * @param body   the client message (JSON text)
     * @param events the events the watch was shown for it
     * @return null to forward the message unchanged
     */
    public static Refusal judge(WatchedSession watch, byte[] body, int off, int len, List<TraceEvent> events) {
        Block b = watch.blocked();
        if (b == null) {
            return null;
        }
        List<TraceEvent> calls = new ArrayList<>(1);
        for (TraceEvent e : events) {
            if (EventTypes.TOOL_CALL.equals(e.eventType()) && e.data() != null && e.data().hasNonNull("request_id")) {
                calls.add(e);
            }
        }
        if (calls.isEmpty()) {
            return null;
        }
        byte[] forward = null;
        byte[] reply;
        try {
            if (firstNonBlank(body, off, len) == '[') {
                ArrayNode batch = (ArrayNode) TraceJson.mapper().readTree(body, off, len);
                ArrayNode kept = JsonNodeFactory.instance.arrayNode();
                ArrayNode replies = JsonNodeFactory.instance.arrayNode();
                for (JsonNode element : batch) {
                    if (element instanceof ObjectNode o && "tools/call".equals(o.path("method").asText(null)) && o.hasNonNull("id")) {
                        replies.add(b.blockedResult(o.get("id"), o.path("params").path("name").asText("")));
                    } else {
                        kept.add(element);
                    }
                }
                forward = kept.isEmpty() ? null : TraceJson.mapper().writeValueAsBytes(kept);
                reply = TraceJson.mapper().writeValueAsBytes(replies);
            } else {
                TraceEvent call = calls.get(0);
                reply = TraceJson.mapper().writeValueAsBytes(b.blockedResult(call.data().get("request_id"),
                        call.data().path("tool_name").asText("")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<TraceEvent> decisions = new ArrayList<>();
        List<String> tools = new ArrayList<>();
        for (TraceEvent call : calls) {
            String tool = call.data().path("tool_name").asText("");
            tools.add(tool);
            if (!call.eventId().equals(b.alert().eventId())) {
                decisions.add(AlertEvents.blockedCall(b, call.sessionId(), call.eventId(), tool));
            }
        }
        return new Refusal(forward, reply, decisions, tools, b);
    }

    private static int firstNonBlank(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (!Character.isWhitespace(b[i])) {
                return b[i];
            }
        }
        return -1;
    }
}
