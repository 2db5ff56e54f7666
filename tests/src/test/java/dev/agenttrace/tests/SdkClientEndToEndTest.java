package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.tests.peers.SdkTestServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ClientCapabilities;
import io.modelcontextprotocol.spec.McpSchema.CreateMessageResult;
import io.modelcontextprotocol.spec.McpSchema.ElicitResult;
import io.modelcontextprotocol.spec.McpSchema.ReadResourceRequest;
import io.modelcontextprotocol.spec.McpSchema.Role;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.modelcontextprotocol.spec.McpSchema.TextResourceContents;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The MCP Java SDK client drives a real SDK server through {@code agent-trace record}. */
@Timeout(120)
class SdkClientEndToEndTest {
    static final McpJsonMapper JSON = new JacksonMcpJsonMapper(new ObjectMapper());

    static String text(CallToolResult r) {
        return ((TextContent) r.content().get(0)).text();
    }

    @Test
    void everyKindOfMessagePassesAndTheTraceTellsTheStory(@TempDir Path traces) throws Exception {
        List<String> cmd = Peers.proxy(traces, List.of("--name", "e2e"), Peers.javaMain(SdkTestServer.class));
        ServerParameters params = ServerParameters.builder(cmd.get(0)).args(cmd.subList(1, cmd.size())).build();
        StdioClientTransport transport = new StdioClientTransport(params, JSON);
        List<String> stderr = new CopyOnWriteArrayList<>();
        transport.setStdErrorHandler(stderr::add);
        List<Double> progress = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(30))
                .capabilities(ClientCapabilities.builder().sampling().elicitation().build())
                .sampling(req -> CreateMessageResult.builder().role(Role.ASSISTANT).model("test-model")
                        .content(new TextContent("four")).build())
                .elicitation(req -> new ElicitResult(ElicitResult.Action.ACCEPT, Map.of("answer", "blue")))
                .progressConsumer(p -> progress.add(p.progress()))
                .build()) {
            assertEquals("sdk-test-server", client.initialize().serverInfo().name());
            assertEquals(6, client.listTools().tools().size());
            assertEquals("h\u00e9llo \"w\u00f6rld\"", text(client.callTool(CallToolRequest.builder().name("echo")
                    .arguments(Map.of("text", "h\u00e9llo \"w\u00f6rld\"")).build())));
            assertEquals("did 3 steps", text(client.callTool(CallToolRequest.builder().name("progress")
                    .arguments(Map.of("steps", 3)).progressToken("p-1").build())));
            assertEquals("the model said: four", text(client.callTool(CallToolRequest.builder().name("ask_llm")
                    .arguments(Map.of("prompt", "2+2?")).build())));
            assertEquals("the user said: blue", text(client.callTool(CallToolRequest.builder().name("ask_user")
                    .arguments(Map.of("question", "favourite colour?")).build())));
            CallToolResult failed = client.callTool(CallToolRequest.builder().name("fail").arguments(Map.of()).build());
            assertTrue(failed.isError());
            var resource = client.readResource(new ReadResourceRequest("test://hello"));
            assertEquals("hello, resource", ((TextResourceContents) resource.contents().get(0)).text());
        }
        // the SDK client hands notifications to the consumer asynchronously, so only the set is its to keep;
        // the order the proxy forwarded them in is checked against the wire log below
        assertEquals(List.of(1.0, 2.0, 3.0), progress.stream().sorted().toList(), "every progress notification reached the client");

        Path session = Peers.onlySession(traces);
        // close() returns once it has sent SIGTERM; the proxy then stops the server and finishes the trace
        long proxyPid = Peers.meta(session).at("/attribution/proxy_pid").asLong();
        assertTrue(Peers.gone(proxyPid, 10_000), "the proxy exits after the client closes");
        JsonNode meta = Peers.meta(session);
        assertEquals("e2e", meta.get("agent_name").asText());
        assertEquals(5, meta.get("tool_calls").asInt());
        assertTrue(meta.has("ended_at"), "meta is final even though the SDK client ends the proxy with SIGTERM");
        assertEquals("sdk-test-server", meta.at("/attribution/mcp_server/name").asText());
        assertTrue(meta.at("/attribution/mcp_protocol_version").asText().startsWith("20"));
        long childPid = meta.at("/attribution/child_pid").asLong();
        assertTrue(Peers.gone(childPid, 5000), "the server process is gone");

        List<JsonNode> events = Peers.events(session);
        assertEquals("session_start", events.get(0).get("event_type").asText());
        assertEquals("session_end", events.get(events.size() - 1).get("event_type").asText());
        List<JsonNode> calls = Peers.ofType(events, "tool_call");
        List<JsonNode> results = Peers.ofType(events, "tool_result");
        assertEquals(List.of("echo", "progress", "ask_llm", "ask_user", "fail"),
                calls.stream().map(c -> c.at("/data/tool_name").asText()).toList());
        assertEquals(5, results.size());
        for (JsonNode result : results) {
            JsonNode call = calls.stream().filter(c -> c.get("event_id").asText().equals(result.path("parent_id").asText()))
                    .findFirst().orElseThrow(() -> new AssertionError("no call for " + result));
            assertEquals(call.at("/data/request_id"), result.at("/data/request_id"), "linked by the same id, same JSON type");
            assertTrue(result.get("duration_ms").asDouble() >= 0);
        }
        assertEquals("h\u00e9llo \"w\u00f6rld\"", calls.get(0).at("/data/arguments/text").asText());
        assertTrue(results.get(4).at("/data/is_error").asBoolean(), "the tool error is kept as an error");
        JsonNode llm = Peers.ofType(events, "llm_request").get(0);
        assertEquals("server_to_client", llm.at("/data/direction").asText());
        JsonNode llmAnswer = Peers.ofType(events, "llm_response").get(0);
        assertEquals(llm.get("event_id").asText(), llmAnswer.get("parent_id").asText());
        assertEquals("four", llmAnswer.at("/data/content_preview").asText());
        assertEquals("test://hello", Peers.ofType(events, "file_read").get(0).at("/data/uri").asText());

        List<JsonNode> wire = Peers.lines(session.resolve("messages.ndjson"));
        List<Double> forwarded = wire.stream().filter(m -> "notifications/progress".equals(m.at("/data/method").asText()))
                .map(m -> m.at("/data/message/params/progress").asDouble()).toList();
        assertEquals(List.of(1.0, 2.0, 3.0), forwarded, "the proxy forwarded the progress notifications in the server's order");
        assertTrue(wire.stream().anyMatch(m -> "elicitation/create".equals(m.at("/data/method").asText())));
        assertFalse(stderr.stream().anyMatch(l -> l.contains("Exception")), String.join("\n", stderr));
        assertNotNull(meta.get("started_at"));
    }
}
