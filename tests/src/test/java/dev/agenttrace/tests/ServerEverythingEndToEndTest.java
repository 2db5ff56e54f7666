package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The MCP Java SDK client through the proxy to the npm reference server (a second implementation). */
@Timeout(120)
class ServerEverythingEndToEndTest {

    @Test
    void drivesTheReferenceServerThroughTheProxy(@TempDir Path traces) throws Exception {
        List<String> cmd = Peers.proxy(traces, List.of(), List.of("node", Peers.serverEverything().toString(), "stdio"));
        ServerParameters params = ServerParameters.builder(cmd.get(0)).args(cmd.subList(1, cmd.size())).build();
        AtomicInteger progress = new AtomicInteger();
        try (McpSyncClient client = McpClient.sync(new StdioClientTransport(params, new JacksonMcpJsonMapper(new ObjectMapper())))
                .requestTimeout(Duration.ofSeconds(60)).progressConsumer(p -> progress.incrementAndGet()).build()) {
            assertEquals("mcp-servers/everything", client.initialize().serverInfo().name());
            assertTrue(client.listTools().tools().stream().anyMatch(t -> t.name().equals("echo")));
            var echo = client.callTool(CallToolRequest.builder().name("echo").arguments(Map.of("message", "h\u00e9llo")).build());
            assertEquals("Echo: h\u00e9llo", ((TextContent) echo.content().get(0)).text());
            client.callTool(CallToolRequest.builder().name("trigger-long-running-operation")
                    .arguments(Map.of("duration", 1, "steps", 2)).progressToken("t-1").build());
            // the SDK client hands notifications to the consumer asynchronously: the last may trail the result
            for (int i = 0; i < 100 && progress.get() < 2; i++) {
                Thread.sleep(20);
            }
        }
        assertEquals(2, progress.get(), "progress notifications from the server reached the client");
        Path session = Peers.onlySession(traces);
        assertTrue(Peers.gone(Peers.meta(session).at("/attribution/proxy_pid").asLong(), 10_000));
        JsonNode meta = Peers.meta(session);
        assertEquals(2, meta.get("tool_calls").asInt());
        assertEquals("mcp-servers/everything", meta.at("/attribution/mcp_server/name").asText());
        assertTrue(Peers.gone(meta.at("/attribution/child_pid").asLong(), 5000), "node is gone");
        List<JsonNode> results = Peers.ofType(Peers.events(session), "tool_result");
        assertEquals("Echo: h\u00e9llo", results.get(0).at("/data/content_preview").asText());
    }
}
