package dev.agenttrace.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The model behind the real Codex CLI, scripted: a local endpoint speaking the OpenAI Responses
 * API ({@code POST .../responses}, streamed as server-sent events: {@code response.created},
 * {@code response.output_item.done}, {@code response.completed}) that answers the agent's main
 * loop with the next turn of a script. The turn is chosen by how many tool outputs the request's
 * input already holds, so a retry by the agent cannot skip a step.
 */
final class ScriptedResponsesModel extends ScriptedEndpoint {
    ScriptedResponsesModel(List<Turn> script) throws IOException {
        super(script, "scripted-responses-model");
    }

    /** The provider's base URL: Codex appends {@code /responses}. */
    String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    @Override
    void handle(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        if (!"POST".equals(ex.getRequestMethod()) || !ex.getRequestURI().getPath().endsWith("/responses")) {
            respond(ex, 404, "application/json", "{\"error\": {\"message\": \"not scripted\"}}");
            return;
        }
        JsonNode req = JSON.readTree(body);
        requests.add(req);
        int outputs = 0;
        for (JsonNode item : req.path("input")) {
            if ("function_call_output".equals(item.path("type").asText())) {
                outputs++;
            }
        }
        Turn turn = turn(outputs);
        String id = "resp_" + requests.size();
        ObjectNode item = JSON.createObjectNode();
        if (turn.name() != null) {
            item.put("type", "function_call");
            item.put("id", "fc_" + requests.size());
            item.put("call_id", turn.callId());
            item.put("name", turn.name());
            item.put("arguments", turn.arguments().toString());
            item.put("status", "completed");
        } else {
            item.put("type", "message");
            item.put("id", "msg_" + requests.size());
            item.put("role", "assistant");
            item.put("status", "completed");
            ObjectNode text = item.putArray("content").addObject();
            text.put("type", "output_text");
            text.put("text", turn.text());
            text.putArray("annotations");
        }
        StringBuilder sse = new StringBuilder();
        ObjectNode created = JSON.createObjectNode();
        created.put("type", "response.created");
        created.putObject("response").put("id", id);
        event(sse, created);
        ObjectNode done = JSON.createObjectNode();
        done.put("type", "response.output_item.done");
        done.put("output_index", 0);
        done.set("item", item);
        event(sse, done);
        ObjectNode completed = JSON.createObjectNode();
        completed.put("type", "response.completed");
        ObjectNode response = completed.putObject("response");
        response.put("id", id);
        ObjectNode usage = response.putObject("usage");
        usage.put("input_tokens", 100);
        usage.put("output_tokens", 20);
        usage.put("total_tokens", 120);
        event(sse, completed);
        respond(ex, 200, "text/event-stream", sse.toString());
    }

    private static void event(StringBuilder b, ObjectNode data) {
        b.append("event: ").append(data.path("type").asText()).append('\n').append("data: ").append(data).append("\n\n");
    }

    /** The output the agent sent back for a call, from the requests it made afterwards; null if none. */
    String toolOutput(String callId) {
        synchronized (requests) {
            for (JsonNode req : requests) {
                for (JsonNode item : req.path("input")) {
                    if ("function_call_output".equals(item.path("type").asText()) && callId.equals(item.path("call_id").asText())) {
                        JsonNode out = item.path("output");
                        return out.isTextual() ? out.asText() : out.toString();
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
                    names.add(t.path("name").asText());
                }
            }
        }
        return names;
    }
}
