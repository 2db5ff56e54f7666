package dev.agenttrace.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.List;

/**
 * The model behind a real coding agent, scripted: a local endpoint speaking the Anthropic
 * Messages API ({@code POST /v1/messages}, streamed as server-sent events when asked) that answers
 * the agent's main loop with the next turn of a script. The turn is chosen by how many assistant
 * turns the conversation already holds, so a retry by the agent cannot skip a step. Requests that
 * are not the main loop (no Bash among the tools: a title, a summary) get a short text.
 */
final class ScriptedModel extends ScriptedEndpoint {
    ScriptedModel(List<Turn> script) throws IOException {
        super(script, "scripted-model");
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    void handle(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("request-id", "req_scripted");
        byte[] body = ex.getRequestBody().readAllBytes();
        String path = ex.getRequestURI().getPath();
        if (!path.endsWith("/v1/messages")) {
            // count_tokens and anything else: a harmless answer
            respond(ex, 200, "application/json", "{\"input_tokens\": 10}");
            return;
        }
        JsonNode req = JSON.readTree(body);
        boolean stream = req.path("stream").asBoolean(false);
        boolean mainLoop = false;
        for (JsonNode t : req.path("tools")) {
            mainLoop |= "Bash".equals(t.path("name").asText());
        }
        Turn turn;
        if (mainLoop) {
            requests.add(req);
            int assistantTurns = 0;
            for (JsonNode m : req.path("messages")) {
                if ("assistant".equals(m.path("role").asText())) {
                    assistantTurns++;
                }
            }
            turn = turn(assistantTurns);
        } else {
            turn = Turn.text("Scripted session");
        }
        String model = req.path("model").asText("claude-sonnet-4-5");
        if (stream) {
            respond(ex, 200, "text/event-stream", sse(turn, model));
        } else {
            respond(ex, 200, "application/json", message(turn, model).toString());
        }
    }

    private static ObjectNode message(Turn turn, String model) {
        ObjectNode m = JSON.createObjectNode();
        m.put("id", "msg_" + System.nanoTime());
        m.put("type", "message");
        m.put("role", "assistant");
        m.put("model", model);
        ArrayNode content = m.putArray("content");
        if (turn.name() != null) {
            ObjectNode b = content.addObject();
            b.put("type", "tool_use");
            b.put("id", turn.callId());
            b.put("name", turn.name());
            b.set("input", turn.arguments());
        } else {
            ObjectNode b = content.addObject();
            b.put("type", "text");
            b.put("text", turn.text());
        }
        m.put("stop_reason", turn.name() != null ? "tool_use" : "end_turn");
        m.putNull("stop_sequence");
        ObjectNode usage = m.putObject("usage");
        usage.put("input_tokens", 100);
        usage.put("output_tokens", 20);
        return m;
    }

    private static String sse(Turn turn, String model) {
        StringBuilder b = new StringBuilder();
        ObjectNode start = JSON.createObjectNode();
        start.put("type", "message_start");
        ObjectNode msg = message(turn, model);
        msg.putArray("content");
        msg.putNull("stop_reason");
        start.set("message", msg);
        event(b, "message_start", start);
        ObjectNode blockStart = JSON.createObjectNode();
        blockStart.put("type", "content_block_start");
        blockStart.put("index", 0);
        ObjectNode delta = JSON.createObjectNode();
        delta.put("type", "content_block_delta");
        delta.put("index", 0);
        if (turn.name() != null) {
            ObjectNode cb = blockStart.putObject("content_block");
            cb.put("type", "tool_use");
            cb.put("id", turn.callId());
            cb.put("name", turn.name());
            cb.putObject("input");
            ObjectNode d = delta.putObject("delta");
            d.put("type", "input_json_delta");
            d.put("partial_json", turn.arguments().toString());
        } else {
            ObjectNode cb = blockStart.putObject("content_block");
            cb.put("type", "text");
            cb.put("text", "");
            ObjectNode d = delta.putObject("delta");
            d.put("type", "text_delta");
            d.put("text", turn.text());
        }
        event(b, "content_block_start", blockStart);
        event(b, "content_block_delta", delta);
        ObjectNode blockStop = JSON.createObjectNode();
        blockStop.put("type", "content_block_stop");
        blockStop.put("index", 0);
        event(b, "content_block_stop", blockStop);
        ObjectNode md = JSON.createObjectNode();
        md.put("type", "message_delta");
        ObjectNode mdd = md.putObject("delta");
        mdd.put("stop_reason", turn.name() != null ? "tool_use" : "end_turn");
        mdd.putNull("stop_sequence");
        md.putObject("usage").put("output_tokens", 20);
        event(b, "message_delta", md);
        ObjectNode stop = JSON.createObjectNode();
        stop.put("type", "message_stop");
        event(b, "message_stop", stop);
        return b.toString();
    }

    private static void event(StringBuilder b, String name, JsonNode data) {
        b.append("event: ").append(name).append('\n').append("data: ").append(data).append("\n\n");
    }

    /** The tool_result the agent sent back for a call, from the requests it made afterwards; null if none. */
    JsonNode toolResult(String toolUseId) {
        synchronized (requests) {
            for (JsonNode req : requests) {
                for (JsonNode m : req.path("messages")) {
                    for (JsonNode c : m.path("content")) {
                        if ("tool_result".equals(c.path("type").asText()) && toolUseId.equals(c.path("tool_use_id").asText())) {
                            return c;
                        }
                    }
                }
            }
        }
        return null;
    }
}
