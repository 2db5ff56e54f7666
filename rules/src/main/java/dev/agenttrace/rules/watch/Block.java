package dev.agenttrace.rules.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A session the watch has stopped (its breaker is open): every tool call from now on (the tripping
 * one included) gets a blocked result instead of reaching the server, until the breaker's
 * cool-down lets one call test the water or {@code agent-trace resume} closes it. The text tells
 * the model why, so it can change course rather than retry blindly (docs/DESIGN.md §5: a result
 * with {@code isError}, never a JSON-RPC error).
 *
 * @param alert           the alert whose rule says {@code block}
 * @param cooldownSeconds how long the breaker holds before one call is let through; NaN: until
 *                        {@code agent-trace resume}
 */
public record Block(Alert alert, double cooldownSeconds) {

    public Block(Alert alert) {
        this(alert, Double.NaN);
    }

    /** The rule that blocked the session. */
    public String rule() {
        return alert.rule();
    }

    /** The text content of the blocked result for a call of {@code tool}. */
    public String blockedMessage(String tool) {
        StringBuilder b = new StringBuilder("Blocked by agent-trace watch: rule \"").append(alert.rule()).append("\" tripped: ")
                .append(alert.message()).append(". The tool \"").append(tool).append("\" was NOT executed");
        if (Double.isNaN(cooldownSeconds)) {
            b.append(", and no further tool call of this session will be until its operator runs: agent-trace resume ")
                    .append(alert.sessionId()).append('.');
        } else {
            b.append(". Tool calls stay blocked for ").append(ThresholdWatcher.number(cooldownSeconds))
                    .append(" s after the trip; then one call is let through, and only if it succeeds do the others follow.");
        }
        if (alert.suggestion() != null) {
            b.append(' ').append(alert.suggestion());
        }
        return b.toString();
    }

    /** For {@code _meta["dev.agenttrace/watch"]} of the blocked result. */
    public ObjectNode toJson() {
        ObjectNode n = alert.toJson();
        n.put("decision", "block");
        if (!Double.isNaN(cooldownSeconds)) {
            n.put("cooldown_seconds", cooldownSeconds);
        }
        return n;
    }

    /**
     * The JSON-RPC answer to a refused {@code tools/call}: a result with the request's id (type
     * kept), {@code isError}, the text that tells the model why, and
     * {@code _meta["dev.agenttrace/watch"]}.
     */
    public ObjectNode blockedResult(JsonNode requestId, String tool) {
        ObjectNode reply = JsonNodeFactory.instance.objectNode();
        reply.put("jsonrpc", "2.0");
        reply.set("id", requestId);
        ObjectNode result = reply.putObject("result");
        ObjectNode text = result.putArray("content").addObject();
        text.put("type", "text");
        text.put("text", blockedMessage(tool));
        result.put("isError", true);
        result.putObject("_meta").set("dev.agenttrace/watch", toJson());
        return reply;
    }
}
