package dev.agenttrace.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A scripted model behind an OpenAI-compatible chat completions endpoint
 * ({@code POST .../chat/completions}, streamed as {@code chat.completion.chunk} server-sent events
 * when the request asks for a stream, else one {@code chat.completion}). The turn is chosen by how
 * many tool results the request's messages already hold, so a retry cannot skip a step.
 */
final class ScriptedChatModel extends ScriptedEndpoint {
    ScriptedChatModel(List<Turn> script) throws IOException {
        super(script, "scripted-chat-model");
    }

    /** The provider's base URL: the client appends {@code /chat/completions}. */
    String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    @Override
    void handle(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        if (!"POST".equals(ex.getRequestMethod()) || !ex.getRequestURI().getPath().endsWith("/chat/completions")) {
            respond(ex, 404, "application/json", "{\"error\": {\"message\": \"not scripted\"}}");
            return;
        }
        JsonNode req = JSON.readTree(body);
        requests.add(req);
        int results = 0;
        for (JsonNode m : req.path("messages")) {
            if ("tool".equals(m.path("role").asText())) {
                results++;
            }
        }
        Turn turn = turn(results);
        boolean stream = req.path("stream").asBoolean(false);
        ObjectNode message = JSON.createObjectNode();
        message.put("role", "assistant");
        String finish;
        if (turn.name() != null) {
            message.putNull("content");
            ObjectNode call = message.putArray("tool_calls").addObject();
            if (stream) {
                call.put("index", 0);
            }
            call.put("id", turn.callId());
            call.put("type", "function");
            call.putObject("function").put("name", turn.name()).put("arguments", turn.arguments().toString());
            finish = "tool_calls";
        } else {
            message.put("content", turn.text());
            finish = "stop";
        }
        String id = "chatcmpl-" + requests.size();
        ObjectNode usage = JSON.createObjectNode();
        usage.put("prompt_tokens", 100);
        usage.put("completion_tokens", 20);
        usage.put("total_tokens", 120);
        if (!stream) {
            ObjectNode done = JSON.createObjectNode();
            done.put("id", id);
            done.put("object", "chat.completion");
            done.put("model", req.path("model").asText("scripted"));
            ObjectNode choice = done.putArray("choices").addObject();
            choice.put("index", 0);
            choice.set("message", message);
            choice.put("finish_reason", finish);
            done.set("usage", usage);
            respond(ex, 200, "application/json", done.toString());
            return;
        }
        StringBuilder sse = new StringBuilder();
        ObjectNode first = chunk(id, req);
        ObjectNode c0 = first.putArray("choices").addObject();
        c0.put("index", 0);
        c0.set("delta", message);
        c0.putNull("finish_reason");
        sse.append("data: ").append(first).append("\n\n");
        ObjectNode last = chunk(id, req);
        ObjectNode c1 = last.putArray("choices").addObject();
        c1.put("index", 0);
        c1.putObject("delta");
        c1.put("finish_reason", finish);
        last.set("usage", usage);
        sse.append("data: ").append(last).append("\n\n").append("data: [DONE]\n\n");
        respond(ex, 200, "text/event-stream", sse.toString());
    }

    private static ObjectNode chunk(String id, JsonNode req) {
        ObjectNode c = JSON.createObjectNode();
        c.put("id", id);
        c.put("object", "chat.completion.chunk");
        c.put("model", req.path("model").asText("scripted"));
        return c;
    }

    /** What the agent sent back to the model for a call, from the requests it made afterwards; null if none. */
    String toolOutput(String callId) {
        synchronized (requests) {
            for (JsonNode req : requests) {
                for (JsonNode m : req.path("messages")) {
                    if ("tool".equals(m.path("role").asText()) && callId.equals(m.path("tool_call_id").asText())) {
                        JsonNode c = m.path("content");
                        return c.isTextual() ? c.asText() : c.toString();
                    }
                }
            }
        }
        return null;
    }

    /** The names of the function tools the agent offered in its first request. */
    List<String> toolNames() {
        List<String> names = new ArrayList<>();
        synchronized (requests) {
            if (!requests.isEmpty()) {
                for (JsonNode t : requests.get(0).path("tools")) {
                    names.add(t.path("function").path("name").asText(t.path("name").asText()));
                }
            }
        }
        return names;
    }
}
