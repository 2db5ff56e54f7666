package dev.agenttrace.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The model behind the real Gemini CLI, scripted: a local endpoint speaking the Gemini API
 * ({@code POST /v1beta/models/<model>:streamGenerateContent?alt=sse}, or {@code :generateContent})
 * that answers the agent's main loop with the next turn of a script: a {@code functionCall}, or
 * a closing text. The turn is chosen by how many model turns the conversation already holds, so a
 * retry cannot skip a step. Requests that are not the main loop (no {@code run_shell_command}
 * among the tools) get a short text.
 */
final class ScriptedGemini extends ScriptedEndpoint {
    /** Every request line seen, main loop or not (for diagnostics). */
    final List<String> seen = Collections.synchronizedList(new ArrayList<>());

    ScriptedGemini(List<Turn> script) throws IOException {
        super(script, "scripted-gemini");
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    void handle(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        String path = ex.getRequestURI().getPath();
        seen.add(ex.getRequestMethod() + " " + ex.getRequestURI());
        if (!"POST".equals(ex.getRequestMethod()) || !(path.endsWith(":streamGenerateContent") || path.endsWith(":generateContent"))) {
            respond(ex, 404, "application/json", "{\"error\": {\"code\": 404, \"message\": \"not scripted\", \"status\": \"NOT_FOUND\"}}");
            return;
        }
        JsonNode req = JSON.readTree(body);
        boolean mainLoop = false;
        for (JsonNode t : req.path("tools")) {
            for (JsonNode f : t.path("functionDeclarations")) {
                mainLoop |= "run_shell_command".equals(f.path("name").asText());
            }
        }
        Turn turn;
        if (mainLoop) {
            requests.add(req);
            int modelTurns = 0;
            for (JsonNode c : req.path("contents")) {
                if ("model".equals(c.path("role").asText())) {
                    modelTurns++;
                }
            }
            turn = turn(modelTurns);
        } else {
            turn = Turn.text("Scripted session");
        }
        String response = response(turn).toString();
        if (path.endsWith(":streamGenerateContent")) {
            respond(ex, 200, "text/event-stream", "data: " + response + "\r\n\r\n");
        } else {
            respond(ex, 200, "application/json", response);
        }
    }

    /** A GenerateContentResponse holding the turn as candidate 0. */
    private static ObjectNode response(Turn turn) {
        ObjectNode r = JSON.createObjectNode();
        ObjectNode candidate = r.putArray("candidates").addObject();
        ObjectNode content = candidate.putObject("content");
        content.put("role", "model");
        ObjectNode part = content.putArray("parts").addObject();
        if (turn.name() != null) {
            ObjectNode call = part.putObject("functionCall");
            call.put("name", turn.name());
            call.set("args", turn.arguments());
        } else {
            part.put("text", turn.text());
        }
        candidate.put("finishReason", "STOP");
        candidate.put("index", 0);
        ObjectNode usage = r.putObject("usageMetadata");
        usage.put("promptTokenCount", 100);
        usage.put("candidatesTokenCount", 20);
        usage.put("totalTokenCount", 120);
        return r;
    }

    /** The function responses the CLI sent back for {@code name}, oldest first. */
    List<JsonNode> functionResponses(String name) {
        List<JsonNode> out = new ArrayList<>();
        JsonNode last;
        synchronized (requests) {
            if (requests.isEmpty()) {
                return out;
            }
            last = requests.get(requests.size() - 1);
        }
        for (JsonNode c : last.path("contents")) {
            for (JsonNode p : c.path("parts")) {
                if (name.equals(p.path("functionResponse").path("name").asText())) {
                    out.add(p.path("functionResponse"));
                }
            }
        }
        return out;
    }
}
