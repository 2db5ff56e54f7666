package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TypeScript MCP SDK client (a second implementation, tests/npm/mcp-client.mjs) records a
 * session through {@code agent-trace record}, then calls every tool of {@code agent-trace mcp} over
 * the agent-strace fixtures plus that session. The TS client checks each structured result against
 * the tool's output schema itself: a mismatch would come back here as {@code thrown}.
 */
@Timeout(180)
class NodeMcpClientEndToEndTest {
    @Test
    void theTypeScriptClientCallsEveryTool(@TempDir Path traces) throws Exception {
        McpServerEndToEndTest.copyFixtures(McpServerEndToEndTest.FIXTURES, traces);
        Path script = Peers.ROOT.resolve("tests/npm/mcp-client.mjs");
        Path stderr = traces.resolveSibling(traces.getFileName() + "-node.err");
        Process p = new ProcessBuilder("node", script.toString(), Peers.JAVA, Peers.CLASSPATH, traces.toString())
                .directory(script.getParent().toFile()).redirectError(stderr.toFile()).start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        String err = Files.readString(stderr);
        Files.deleteIfExists(stderr);
        assertEquals(0, p.exitValue(), "node failed: " + err + "\n" + stdout);
        JsonNode out = Peers.JSON.readTree(stdout.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow());

        assertEquals(List.of("diff_sessions", "get_session", "get_session_summary", "list_sessions", "search_events"),
                out.get("tools").findValuesAsText("name"));
        out.get("tools").forEach(t -> assertTrue(t.get("hasOutputSchema").asBoolean(), t.toString()));
        JsonNode r = out.get("results");
        r.fields().forEachRemaining(e -> assertFalse(e.getValue().has("thrown"), e.getKey() + ": " + e.getValue()));
        String recorded = out.get("recorded").asText();

        assertEquals(6, r.at("/all/structured/count").asInt(), "five fixtures and the node-recorded session");
        assertEquals(recorded, r.at("/all/structured/sessions/0/session_id").asText());
        assertEquals(4, r.at("/get/structured/event_count").asInt(), "two calls and their two results");
        assertEquals("Read", r.at("/search_env/structured/events/0/data/tool_name").asText());
        assertEquals(1, r.at("/search_errors/structured/count").asInt(), "the fail tool's isError result");
        assertTrue(r.at("/search_text/structured/count").asInt() >= 2, "the call and its echo");
        assertEquals(1, r.at("/summary/structured/retry_count").asInt());
        assertEquals(0, r.at("/diff/structured/divergence/index").asInt());
        assertTrue(r.at("/missing/isError").asBoolean());
        assertTrue(r.at("/missing/text").asText().contains(recorded), "the error lists what exists");
        assertTrue(r.at("/ambiguous_diff/isError").asBoolean());
        assertFalse(out.get("stderr").asText().contains("Exception"), out.get("stderr").asText());
    }
}
