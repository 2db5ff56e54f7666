package dev.agenttrace.hooks.serve;

import static dev.agenttrace.hooks.serve.HookServerFixture.event;
import static dev.agenttrace.hooks.serve.HookServerFixture.failure;
import static dev.agenttrace.hooks.serve.HookServerFixture.has;
import static dev.agenttrace.hooks.serve.HookServerFixture.ofType;
import static dev.agenttrace.hooks.serve.HookServerFixture.postTool;
import static dev.agenttrace.hooks.serve.HookServerFixture.preTool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Claude Code HTTP hooks at serve become agent-strace hook sessions. */
class HookRecordingTest {
    static final String SESSION = "7f3e9a10-1111-4222-8333-444455556666";
    static final String STORE_ID = "7f3e9a10-1111-42";

    @TempDir
    Path tmp;

    @Test
    void recordsASessionInAgentStraceHookShape() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        try (HookServerFixture f = new HookServerFixture(tmp.resolve("traces"))) {
            ObjectNode start = event("SessionStart", SESSION, project);
            start.put("source", "startup");
            start.put("model", "claude-sonnet-4-5");
            assertEquals("{}", f.claude(start).toString());
            ObjectNode prompt = event("UserPromptSubmit", SESSION, project);
            prompt.put("prompt", "fix the failing auth test");
            f.claude(prompt);
            assertEquals("{}", f.claude(preTool(SESSION, project, "Read", "toolu_01", "{\"file_path\":\"/p/src/auth.py\"}")).toString());
            ObjectNode post = postTool(SESSION, project, "Read", "toolu_01", "{\"file_path\":\"/p/src/auth.py\"}",
                    "{\"type\":\"text\",\"file\":{\"filePath\":\"/p/src/auth.py\",\"content\":\"def login(): pass\"}}");
            post.put("duration_ms", 12.5);
            f.claude(post);
            f.claude(preTool(SESSION, project, "Bash", "toolu_02", "{\"command\":\"pytest\"}"));
            f.claude(failure(SESSION, project, "Bash", "toolu_02", "{\"command\":\"pytest\"}", "Exit code 1\n1 failed"));
            ObjectNode stop = event("Stop", SESSION, project);
            stop.put("last_assistant_message", "Fixed: login now hashes the password.");
            f.claude(stop);
            ObjectNode end = event("SessionEnd", SESSION, project);
            end.put("reason", "prompt_input_exit");
            f.claude(end);

            List<JsonNode> ev = f.events(STORE_ID, has("session_end", 1));
            List<String> types = ev.stream().map(e -> e.path("event_type").asText()).toList();
            assertEquals(List.of("session_start", "user_prompt", "tool_call", "tool_result", "tool_call", "error", "assistant_response",
                    "session_end"), types);
            assertEquals("claude-code-hooks", ev.get(0).path("data").path("mode").asText());
            assertEquals("startup", ev.get(0).path("data").path("source").asText());
            assertEquals("claude-sonnet-4-5", ev.get(0).path("data").path("model").asText());
            assertEquals("fix the failing auth test", ev.get(1).path("data").path("prompt").asText());
            JsonNode call = ev.get(2);
            assertEquals("Read", call.path("data").path("tool_name").asText());
            assertEquals("/p/src/auth.py", call.path("data").path("arguments").path("file_path").asText());
            JsonNode result = ev.get(3);
            assertEquals(call.path("event_id").asText(), result.path("parent_id").asText());
            assertEquals(12.5, result.path("duration_ms").asDouble());
            assertTrue(result.path("data").path("result").asText().contains("def login()"), result.toString());
            JsonNode error = ev.get(5);
            assertEquals(ev.get(4).path("event_id").asText(), error.path("parent_id").asText());
            assertTrue(error.path("data").path("error").asText().startsWith("Exit code 1"));
            assertEquals("Fixed: login now hashes the password.", ev.get(6).path("data").path("text").asText());

            JsonNode meta = f.meta(STORE_ID);
            assertEquals("claude-code", meta.path("agent_name").asText());
            assertEquals(2, meta.path("tool_calls").asInt());
            assertEquals(1, meta.path("errors").asInt());
            assertEquals(SESSION, meta.path("attribution").path("agent_session_id").asText());
            assertTrue(meta.hasNonNull("ended_at"));
        }
    }

    @Test
    void pairsParallelCallsOfOneToolByToolUseId() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        try (HookServerFixture f = new HookServerFixture(tmp.resolve("traces"))) {
            f.claude(preTool(SESSION, project, "Bash", "toolu_A", "{\"command\":\"sleep 2; echo a\"}"));
            f.claude(preTool(SESSION, project, "Bash", "toolu_B", "{\"command\":\"echo b\"}"));
            // B finishes first
            f.claude(postTool(SESSION, project, "Bash", "toolu_B", "{\"command\":\"echo b\"}", "{\"stdout\":\"b\",\"stderr\":\"\"}"));
            f.claude(postTool(SESSION, project, "Bash", "toolu_A", "{\"command\":\"sleep 2; echo a\"}", "{\"stdout\":\"a\",\"stderr\":\"\"}"));
            List<JsonNode> ev = f.events(STORE_ID, has("tool_result", 2));
            List<JsonNode> calls = ofType(ev, "tool_call");
            List<JsonNode> results = ofType(ev, "tool_result");
            String callA = calls.stream().filter(c -> c.path("data").path("request_id").asText().equals("toolu_A")).findFirst().orElseThrow()
                    .path("event_id").asText();
            String callB = calls.stream().filter(c -> c.path("data").path("request_id").asText().equals("toolu_B")).findFirst().orElseThrow()
                    .path("event_id").asText();
            for (JsonNode r : results) {
                String expected = r.path("data").path("result").asText().equals("a") ? callA : callB;
                assertEquals(expected, r.path("parent_id").asText(), "result " + r + " paired with the wrong call");
            }
        }
    }

    @Test
    void subagentBecomesAChildSessionLinkedToTheCallThatSpawnedIt() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        try (HookServerFixture f = new HookServerFixture(tmp.resolve("traces"))) {
            f.claude(preTool(SESSION, project, "Agent", "toolu_T", "{\"description\":\"look around\",\"prompt\":\"list files\"}"));
            ObjectNode start = event("SubagentStart", SESSION, project);
            start.put("agent_id", "agent-42");
            start.put("agent_type", "Explore");
            f.claude(start);
            ObjectNode inner = preTool(SESSION, project, "Glob", "toolu_G", "{\"pattern\":\"**/*.py\"}");
            inner.put("agent_id", "agent-42");
            inner.put("agent_type", "Explore");
            f.claude(inner);
            ObjectNode innerPost = postTool(SESSION, project, "Glob", "toolu_G", "{\"pattern\":\"**/*.py\"}", "{\"filenames\":[\"a.py\"]}");
            innerPost.put("agent_id", "agent-42");
            f.claude(innerPost);
            ObjectNode stop = event("SubagentStop", SESSION, project);
            stop.put("agent_id", "agent-42");
            stop.put("agent_type", "Explore");
            stop.put("last_assistant_message", "found a.py");
            f.claude(stop);
            f.claude(postTool(SESSION, project, "Agent", "toolu_T", "{\"description\":\"look around\",\"prompt\":\"list files\"}",
                    "{\"content\":[{\"type\":\"text\",\"text\":\"found a.py\"}]}"));

            List<JsonNode> parent = f.events(STORE_ID, has("tool_result", 1));
            assertEquals(1, ofType(parent, "tool_call").size(), "the subagent's Glob is not in the parent session: " + parent);
            String spawn = ofType(parent, "tool_call").get(0).path("event_id").asText();
            Path child;
            try (var dirs = Files.list(f.traceDir)) {
                child = dirs.filter(d -> !d.getFileName().toString().equals(STORE_ID) && Files.isDirectory(d))
                        .filter(d -> Files.exists(d.resolve("meta.json"))).findFirst().orElseThrow();
            }
            String childId = child.getFileName().toString();
            List<JsonNode> inside = f.events(childId, has("session_end", 1));
            assertEquals("Glob", ofType(inside, "tool_call").get(0).path("data").path("tool_name").asText());
            assertEquals(ofType(inside, "tool_call").get(0).path("event_id").asText(), ofType(inside, "tool_result").get(0).path("parent_id").asText());
            assertEquals("found a.py", ofType(inside, "assistant_response").get(0).path("data").path("text").asText());
            JsonNode meta = f.meta(childId);
            assertEquals(STORE_ID, meta.path("parent_session_id").asText());
            assertEquals(spawn, meta.path("parent_event_id").asText());
            assertEquals(1, meta.path("depth").asInt());
        }
    }

    @Test
    void aRestartedServeContinuesTheSameTrace() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Path traces = tmp.resolve("traces");
        try (HookServerFixture f = new HookServerFixture(traces)) {
            f.claude(preTool(SESSION, project, "Read", "toolu_1", "{\"file_path\":\"/p/a\"}"));
            f.events(STORE_ID, has("tool_call", 1));
        }
        try (HookServerFixture f = new HookServerFixture(traces)) {
            f.claude(preTool(SESSION, project, "Read", "toolu_2", "{\"file_path\":\"/p/b\"}"));
            f.claude(postTool(SESSION, project, "Read", "toolu_2", "{\"file_path\":\"/p/b\"}", "\"b\""));
            ObjectNode end = event("SessionEnd", SESSION, project);
            f.claude(end);
            List<JsonNode> ev = f.events(STORE_ID, has("session_end", 2));
            assertEquals(1, ofType(ev, "session_start").size(), "one session, started once: " + ev);
            assertEquals(2, ofType(ev, "tool_call").size());
            assertEquals(2, f.meta(STORE_ID).path("tool_calls").asInt());
            assertFalse(f.err().contains("Exception"), f.err());
        }
    }
}
