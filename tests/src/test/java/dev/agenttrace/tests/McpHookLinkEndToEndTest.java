package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.tests.peers.SdkTestServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Claude Code's hooks and {@code agent-trace record} both see one MCP call: {@code serve} records
 * the hook's {@code mcp__sdk__echo} and {@code record --name sdk} (as {@code wrap} installs it)
 * records the {@code tools/call} of a real MCP Java SDK server. serve links the hook's copy to the
 * recorded call, and {@code health} and {@code stats} count it once.
 */
@Timeout(180)
class McpHookLinkEndToEndTest {
    static final McpJsonMapper MCP_JSON = new JacksonMcpJsonMapper(new ObjectMapper());

    @TempDir
    Path tmp;

    private final List<Process> started = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        started.forEach(Process::destroyForcibly);
    }

    private JsonNode hook(int port, ObjectNode payload) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hooks/claude-code"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(payload.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body().isBlank() ? Peers.JSON.createObjectNode() : Peers.JSON.readTree(r.body());
    }

    private ObjectNode payload(String event, String session) {
        return Peers.JSON.createObjectNode().put("session_id", session).put("cwd", tmp.toString()).put("hook_event_name", event)
                .put("transcript_path", tmp.resolve("t.jsonl").toString());
    }

    private ObjectNode tool(String event, String session, String id, String name, ObjectNode input) {
        ObjectNode p = payload(event, session).put("tool_name", name).put("tool_use_id", id);
        p.set("tool_input", input);
        return p;
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void anMcpCallSeenByHooksAndByRecordIsLinkedAndCountedOnce() throws Exception {
        Path traces = Files.createDirectories(tmp.resolve("traces"));
        Path home = Files.createDirectories(tmp.resolve("home"));
        List<String> cmd = new ArrayList<>(Peers.cli("serve", "--port", "0", "--trace-dir", traces.toString(), "--no-metrics"));
        cmd.add(1, "-Duser.home=" + home);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("HOME", home.toString());
        StringBuilder log = new StringBuilder();
        int port = Peers.startServe(pb, log, started);

        String session = "3f0c2a4e-1ink-4e5b-9a7d-000000000001";
        String hookSession = session.substring(0, 16);
        hook(port, payload("SessionStart", session).put("source", "startup"));

        List<String> rec = Peers.proxy(traces, List.of("--name", "sdk"), Peers.javaMain(SdkTestServer.class));
        StdioClientTransport transport = new StdioClientTransport(ServerParameters.builder(rec.get(0)).args(rec.subList(1, rec.size())).build(),
                MCP_JSON);
        ObjectNode args = Peers.JSON.createObjectNode().put("text", "linked");
        try (McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).build()) {
            client.initialize();
            // the agent's own tool: counted in the hook session only
            ObjectNode bash = Peers.JSON.createObjectNode().put("command", "echo hi");
            assertFalse(hook(port, tool("PreToolUse", session, "toolu_bash", "Bash", bash)).toString().contains("deny"));
            hook(port, tool("PostToolUse", session, "toolu_bash", "Bash", bash)
                    .set("tool_response", Peers.JSON.createObjectNode().put("stdout", "hi").put("stderr", "")));
            // an MCP call record never saw (another arguments): not linked, counted
            ObjectNode other = Peers.JSON.createObjectNode().put("text", "never sent to the server");
            hook(port, tool("PreToolUse", session, "toolu_other", "mcp__sdk__echo", other));
            hook(port, tool("PostToolUse", session, "toolu_other", "mcp__sdk__echo", other).put("tool_response", "never sent to the server"));
            // the MCP call both see: the hook before and after, the server's call in between
            hook(port, tool("PreToolUse", session, "toolu_mcp", "mcp__sdk__echo", args));
            var result = client.callTool(CallToolRequest.builder().name("echo").arguments(Map.of("text", "linked")).build());
            assertEquals("linked", ((TextContent) result.content().get(0)).text());
            hook(port, tool("PostToolUse", session, "toolu_mcp", "mcp__sdk__echo", args).put("tool_response", "linked"));

            Path hookDir = traces.resolve(hookSession);
            List<JsonNode> links = List.of();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (links.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
                links = Files.isRegularFile(hookDir.resolve("events.ndjson")) ? Peers.ofType(Peers.events(hookDir), "decision").stream()
                        .filter(d -> "mcp_link".equals(d.path("data").path("kind").asText())).toList() : List.of();
            }
            assertEquals(1, links.size(), "one link, for the call record saw; serve said:\n" + log);
            JsonNode link = links.get(0);

            // the link names the call record recorded, and hangs under the hook's own call of it
            List<Path> others;
            try (var dirs = Files.list(traces)) {
                others = dirs.filter(d -> !d.equals(hookDir) && Files.isDirectory(d)).toList();
            }
            assertEquals(1, others.size(), "record's session beside the hook session: " + others);
            Path recordDir = others.get(0);
            assertEquals("sdk", Peers.meta(recordDir).path("agent_name").asText());
            List<JsonNode> recorded = Peers.ofType(Peers.events(recordDir), "tool_call").stream()
                    .filter(e -> "echo".equals(e.path("data").path("tool_name").asText())).toList();
            assertEquals(1, recorded.size());
            assertEquals(recordDir.getFileName().toString(), link.path("data").path("linked_session_id").asText());
            assertEquals(recorded.get(0).path("event_id").asText(), link.path("data").path("linked_event_id").asText());
            assertEquals("sdk", link.path("data").path("mcp_server").asText());
            JsonNode hookCall = Peers.ofType(Peers.events(hookDir), "tool_call").stream()
                    .filter(e -> e.path("event_id").asText().equals(link.path("parent_id").asText())).findFirst().orElseThrow();
            assertEquals("mcp__sdk__echo", hookCall.path("data").path("tool_name").asText());
            assertEquals(args, hookCall.path("data").path("arguments"), "the call both saw, not the one only the hook saw");
        }
        hook(port, payload("SessionEnd", session).put("reason", "exit"));

        // stats of the hook session: all its calls, and which of them record holds too
        JsonNode stats = Peers.JSON.readTree(run(Peers.cli("stats", "--trace-dir", traces.toString(), hookSession, "--json")));
        assertEquals(3, stats.path("tool_calls").asLong(), stats.toString());
        assertEquals(1, stats.path("linked_tool_calls").asLong(), stats.toString());

        // health over both sessions: 3 calls, not 4 (record's echo once, the hook's Bash and unlinked echo)
        JsonNode health = Peers.JSON.readTree(run(Peers.cli("health", "--trace-dir", traces.toString(), "--json")));
        assertEquals(2, health.path("totals").path("runs").asInt(), health.toString());
        assertEquals(3, health.path("totals").path("tool_calls").asLong(), health.toString());
        long hookRun = 0;
        for (JsonNode r : health.path("runs")) {
            if (hookSession.equals(r.path("session_id").asText())) {
                hookRun = r.path("tool_calls").asLong();
            }
        }
        assertEquals(2, hookRun, "the hook session's linked call is counted in the record session: " + health);
        assertTrue(log.toString().contains("serving hooks"), log.toString());
    }
    /** Gemini CLI names an MCP tool {@code mcp_<server>_<tool>} and sends no call id: the same call is linked all the same. */
    @Test
    void aGeminiMcpCallIsLinkedByItsSingleUnderscoreName() throws Exception {
        Path traces = Files.createDirectories(tmp.resolve("traces"));
        Path home = Files.createDirectories(tmp.resolve("home"));
        List<String> cmd = new ArrayList<>(Peers.cli("serve", "--port", "0", "--trace-dir", traces.toString(), "--no-metrics"));
        cmd.add(1, "-Duser.home=" + home);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("HOME", home.toString());
        StringBuilder log = new StringBuilder();
        int port = Peers.startServe(pb, log, started);
        String session = "9b1d7c20-gemi-4e5b-9a7d-000000000002";
        geminiHook(port, payload("SessionStart", session).put("source", "startup"));

        List<String> rec = Peers.proxy(traces, List.of("--name", "sdk_1"), Peers.javaMain(SdkTestServer.class));
        StdioClientTransport transport = new StdioClientTransport(ServerParameters.builder(rec.get(0)).args(rec.subList(1, rec.size())).build(),
                MCP_JSON);
        ObjectNode args = Peers.JSON.createObjectNode().put("text", "gemini linked");
        try (McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).build()) {
            client.initialize();
            ObjectNode before = payload("BeforeTool", session).put("tool_name", "mcp_sdk_1_echo");
            before.set("tool_input", args);
            assertFalse(geminiHook(port, before).toString().contains("deny"));
            var result = client.callTool(CallToolRequest.builder().name("echo").arguments(Map.of("text", "gemini linked")).build());
            assertEquals("gemini linked", ((TextContent) result.content().get(0)).text());
            ObjectNode after = payload("AfterTool", session).put("tool_name", "mcp_sdk_1_echo");
            after.set("tool_input", args);
            after.set("tool_response", Peers.JSON.createObjectNode().put("llmContent", "gemini linked").put("returnDisplay", "gemini linked"));
            geminiHook(port, after);

            List<JsonNode> links = List.of();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (links.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
                List<JsonNode> found = new ArrayList<>();
                try (var dirs = Files.list(traces)) {
                    for (Path d : dirs.filter(Files::isDirectory).toList()) {
                        Peers.ofType(Peers.eventsSoFar(d), "decision").stream()
                                .filter(e -> "mcp_link".equals(e.path("data").path("kind").asText())).forEach(found::add);
                    }
                }
                links = found;
            }
            assertEquals(1, links.size(), "one link; serve said:\n" + log);
            // the server's name holds an underscore too: the split that names a recorded session wins
            assertEquals("sdk_1", links.get(0).path("data").path("mcp_server").asText());
            assertEquals("echo", links.get(0).path("data").path("mcp_tool").asText());
        }
    }

    private JsonNode geminiHook(int port, ObjectNode payload) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hooks/gemini"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(payload.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body().isBlank() ? Peers.JSON.createObjectNode() : Peers.JSON.readTree(r.body());
    }
}
