package dev.agenttrace.hooks.serve;

import static dev.agenttrace.hooks.serve.HookServerFixture.JSON;
import static dev.agenttrace.hooks.serve.HookServerFixture.has;
import static dev.agenttrace.hooks.serve.HookServerFixture.ofType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents that send no call id (Gemini CLI, Cursor, Copilot CLI's camelCase hooks): a call and its
 * result are recorded under the agent's own tool name and pair with each other, both while serve
 * runs and when a restarted serve takes the session up from the store (the call recorded by one
 * serve, its result received by the next).
 */
class HookRecordingNativeNamesTest {
    @TempDir
    Path tmp;

    /** One agent's call and result payloads, for a call of {@code tool} with the arguments {@code args}. */
    private interface Agent {
        /** Where the agent's hook command hands the event to serve ({@code post}: the result's). */
        String route(boolean post);

        ObjectNode pre(String session, Path cwd, String args);

        ObjectNode post(String session, Path cwd, String args);
    }

    private static final Agent GEMINI = new Agent() {
        public String route(boolean post) {
            return "/hooks/gemini";
        }

        public ObjectNode pre(String session, Path cwd, String args) {
            ObjectNode n = JSON.createObjectNode();
            n.put("session_id", session);
            n.put("cwd", cwd.toString());
            n.put("hook_event_name", "BeforeTool");
            n.put("timestamp", "2026-12-08T01:00:00Z");
            n.put("tool_name", "write_file");
            n.set("tool_input", json(args));
            return n;
        }

        public ObjectNode post(String session, Path cwd, String args) {
            ObjectNode n = pre(session, cwd, args);
            n.put("hook_event_name", "AfterTool");
            ObjectNode r = n.putObject("tool_response");
            r.put("llmContent", "Successfully wrote the file");
            r.put("returnDisplay", "wrote it");
            return n;
        }
    };

    private static final Agent CURSOR = new Agent() {
        public String route(boolean post) {
            return "/hooks/cursor";
        }

        public ObjectNode pre(String session, Path cwd, String args) {
            ObjectNode n = JSON.createObjectNode();
            n.put("conversation_id", session);
            n.put("generation_id", "g-1");
            n.putArray("workspace_roots").add(cwd.toString());
            n.put("hook_event_name", "beforeShellExecution");
            n.put("command", json(args).path("command").asText());
            n.put("cwd", cwd.toString());
            return n;
        }

        public ObjectNode post(String session, Path cwd, String args) {
            ObjectNode n = pre(session, cwd, args);
            n.put("hook_event_name", "afterShellExecution");
            n.put("output", "ok\n");
            n.put("duration", 12);
            return n;
        }
    };

    private static final Agent COPILOT = new Agent() {
        public String route(boolean post) {
            // camelCase payloads do not name their event: the configured command does
            return post ? "/hooks/copilot/postToolUse" : "/hooks/copilot/preToolUse";
        }

        public ObjectNode pre(String session, Path cwd, String args) {
            ObjectNode n = JSON.createObjectNode();
            n.put("sessionId", session);
            n.put("timestamp", 1796000000000L);
            n.put("cwd", cwd.toString());
            n.put("toolName", "create");
            n.set("toolArgs", json(args)); // an object, as the real Copilot CLI 1.0.102 sends it (its docs show a JSON string)
            return n;
        }

        public ObjectNode post(String session, Path cwd, String args) {
            ObjectNode n = pre(session, cwd, args);
            ObjectNode r = n.putObject("toolResult");
            r.put("resultType", "success");
            r.put("textResultForLlm", "Created file");
            return n;
        }
    };

    @Test
    void geminiWriteFilePairsLiveAndAfterARestart() throws Exception {
        Path p = project();
        String big = "x".repeat(100_000); // larger than what the trace keeps of arguments: pairing must not depend on them
        pairsLiveAndAfterARestart(GEMINI, "/gemini/", "write_file",
                "{\"file_path\":\"" + p.resolve("a.txt") + "\",\"content\":\"one\"}",
                "{\"file_path\":\"" + p.resolve("b.txt") + "\",\"content\":\"" + big + "\"}");
    }

    @Test
    void cursorShellPairsLiveAndAfterARestart() throws Exception {
        pairsLiveAndAfterARestart(CURSOR, "/cursor/", "Shell", "{\"command\":\"git status\"}", "{\"command\":\"ls -la\"}");
    }

    @Test
    void copilotCamelCaseCreatePairsLiveAndAfterARestart() throws Exception {
        Path p = project();
        pairsLiveAndAfterARestart(COPILOT, "/copilot/", "create", "{\"path\":\"" + p.resolve("a.txt") + "\",\"file_text\":\"one\"}",
                "{\"path\":\"" + p.resolve("b.txt") + "\",\"file_text\":\"two\"}");
    }

    @Test
    void aCodexPatchOfTwoFilesIsOneCallUnderItsOwnNameWithTheRefusalOfItsSecondFileUnderIt() throws Exception {
        Path project = project();
        Files.writeString(project.resolve(".agent-scope.json"), "{\"files\": {\"write\": {\"deny\": [\".github/**\"]}}}");
        Path traces = tmp.resolve("traces-codex");
        String session = "codex000-0000-4000-8000-000000000001";
        String patch = "*** Begin Patch\n*** Update File: src/a.py\n@@\n-a\n+b\n*** Add File: .github/workflows/x.yml\n+on: push\n*** End Patch";
        try (HookServerFixture f = new HookServerFixture(traces)) {
            ObjectNode pre = HookServerFixture.preTool(session, project, "apply_patch", "call_2", "{}");
            pre.putObject("tool_input").put("command", patch);
            HttpResponse<String> r = f.post("/hooks/codex", pre.toString());
            assertEquals("deny", JSON.readTree(r.body()).path("hookSpecificOutput").path("permissionDecision").asText(), r.body());
            List<JsonNode> ev = f.events(session.substring(0, 16), has("decision", 1));
            JsonNode call = only(ofType(ev, "tool_call"));
            assertEquals("apply_patch", call.path("data").path("tool_name").asText(), call.toString());
            assertEquals(patch, call.path("data").path("arguments").path("command").asText(), "the patch as the agent sent it: " + call);
            assertEquals("call_2", call.path("data").path("request_id").asText(), call.toString());
            JsonNode refusal = ofType(ev, "decision").stream().filter(d -> "block".equals(d.path("data").path("choice").asText()))
                    .findFirst().orElseThrow(() -> new AssertionError("no refusal: " + ev));
            assertEquals(call.path("event_id").asText(), refusal.path("parent_id").asText(), "the refusal is under the call: " + ev);
            assertEquals(true, refusal.toString().contains(".github/workflows/x.yml"), "it names the refused file: " + refusal);
        }
    }

    /**
     * A call with {@code first}'s arguments and its result reach one serve; then the same call
     * again and one with {@code second}'s arguments, and that serve stops; a new serve gets both
     * results, in the other order, and must pair each with its own call.
     */
    private void pairsLiveAndAfterARestart(Agent agent, String sessionPrefix, String nativeName, String first, String second)
            throws Exception {
        Path project = project();
        Path traces = tmp.resolve("traces" + sessionPrefix);
        String session = sessionPrefix.replace("/", "") + "-0000-4000-8000-000000000001";
        String storeId = session.substring(0, 16);
        try (HookServerFixture f = new HookServerFixture(traces)) {
            ok(f, agent.route(false), agent.pre(session, project, first));
            ok(f, agent.route(true), agent.post(session, project, first));
            List<JsonNode> ev = f.events(storeId, has("tool_result", 1));
            JsonNode call = only(ofType(ev, "tool_call"));
            JsonNode result = only(ofType(ev, "tool_result"));
            assertEquals(nativeName, call.path("data").path("tool_name").asText(), "the call under the agent's own name: " + call);
            assertEquals(nativeName, result.path("data").path("tool_name").asText(), "its result under the same name: " + result);
            assertEquals(call.path("event_id").asText(), result.path("parent_id").asText(), "the result pairs with its call: " + ev);

            // the same call again, and the second one: both wait for their results when serve stops
            ok(f, agent.route(false), agent.pre(session, project, first));
            ok(f, agent.route(false), agent.pre(session, project, second));
            f.events(storeId, has("tool_call", 3));
        }
        try (HookServerFixture f = new HookServerFixture(traces)) {
            ok(f, agent.route(true), agent.post(session, project, second));
            ok(f, agent.route(true), agent.post(session, project, first));
            List<JsonNode> ev = f.events(storeId, has("tool_result", 3));
            List<JsonNode> calls = ofType(ev, "tool_call");
            assertEquals(3, calls.size(), "no call recorded a second time for a result that arrived after the restart: " + ev);
            List<JsonNode> results = ofType(ev, "tool_result");
            for (int i = 1; i < 3; i++) {
                JsonNode c = calls.get(i);
                assertEquals(nativeName, c.path("data").path("tool_name").asText(), c.toString());
                List<JsonNode> mine = results.stream().filter(r -> c.path("event_id").asText().equals(r.path("parent_id").asText())).toList();
                assertEquals(1, mine.size(), "the call " + c + " has its one result after the restart: " + ev);
                assertEquals(nativeName, mine.get(0).path("data").path("tool_name").asText(), mine.get(0).toString());
            }
            assertFalse(f.err().contains("Exception"), f.err());
        }
    }

    private Path project() throws Exception {
        return Files.createDirectories(tmp.resolve("project"));
    }

    private static void ok(HookServerFixture f, String route, ObjectNode payload) {
        HttpResponse<String> r = f.post(route, payload.toString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("{}", r.body(), "allowed: " + payload);
    }

    private static JsonNode only(List<JsonNode> events) {
        assertEquals(1, events.size(), events.toString());
        return events.get(0);
    }

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
