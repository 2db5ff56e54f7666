package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MCP Java SDK client over Streamable HTTP -> {@code agent-trace record-http} (the command, as
 * a user runs it) -> server-everything in {@code streamableHttp} mode.
 */
@Timeout(120)
class RecordHttpStreamableEndToEndTest {
    private static final Pattern LISTENING = Pattern.compile("recording http://127\\.0\\.0\\.1:(\\d+)/");

    @Test
    void relaysAndRecordsAStreamableSession(@TempDir Path tmp) throws Exception {
        Path traces = tmp.resolve("traces");
        try (HttpPeers.Everything upstream = HttpPeers.everything("streamableHttp", tmp)) {
            List<String> cmd = new ArrayList<>(List.of(Peers.JAVA, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", Peers.CLASSPATH,
                    "dev.agenttrace.cli.Main", "record-http", upstream.url("/mcp").toString(), "--port", "0",
                    "--trace-dir", traces.toString()));
            Process proxy = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                int port = awaitPort(proxy);
                AtomicInteger progress = new AtomicInteger();
                var transport = HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port).endpoint("/mcp")
                        .jsonMapper(new JacksonMcpJsonMapper(new ObjectMapper())).connectTimeout(Duration.ofSeconds(5)).build();
                try (McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30))
                        .progressConsumer(p -> progress.incrementAndGet()).build()) {
                    assertEquals("mcp-servers/everything", client.initialize().serverInfo().name());
                    assertTrue(client.listTools().tools().stream().anyMatch(t -> t.name().equals("echo")));
                    var echo = client.callTool(CallToolRequest.builder().name("echo").arguments(Map.of("message", "h\u00e9llo")).build());
                    assertEquals("Echo: h\u00e9llo", ((TextContent) echo.content().get(0)).text());
                    client.callTool(CallToolRequest.builder().name("trigger-long-running-operation")
                            .arguments(Map.of("duration", 1, "steps", 2)).progressToken("t-1").build());
                }
                // the SDK client hands notifications to the consumer asynchronously: allow it a moment
        assertEquals(2, HttpPeers.awaitCount(progress, 2, 5000), "progress notifications reached the client through the proxy");
            } finally {
                proxy.destroy();
                assertTrue(proxy.waitFor(15, TimeUnit.SECONDS), "record-http stops on SIGTERM");
            }
        }
        Path session = Peers.onlySession(traces);
        JsonNode meta = Peers.meta(session);
        assertEquals(2, meta.get("tool_calls").asInt());
        assertFalse(meta.at("/attribution/mcp_session_id").asText().isEmpty(), "the MCP session id is in meta");
        assertEquals("streamable-http", meta.at("/attribution/transport").asText());
        List<JsonNode> events = Peers.events(session);
        assertEquals("session_start", events.get(0).path("event_type").asText());
        assertEquals("http", events.get(0).at("/data/mode").asText());
        List<JsonNode> calls = Peers.ofType(events, "tool_call");
        assertEquals("echo", calls.get(0).at("/data/tool_name").asText());
        List<JsonNode> results = Peers.ofType(events, "tool_result");
        assertEquals("Echo: h\u00e9llo", results.get(0).at("/data/content_preview").asText());
        assertEquals(calls.get(0).path("event_id").asText(), results.get(0).path("parent_id").asText());
        assertEquals("session_end", events.get(events.size() - 1).path("event_type").asText());
        String all = Files.readString(session.resolve("events.ndjson")) + Files.readString(session.resolve("meta.json"));
        assertFalse(all.toLowerCase().contains("authorization"), "no headers in the trace");
    }

    static int awaitPort(Process proxy) throws Exception {
        BufferedReader err = new BufferedReader(new InputStreamReader(proxy.getErrorStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = err.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        String l;
                        while ((l = err.readLine()) != null) {
                            System.err.println("[record-http] " + l);
                        }
                    } catch (java.io.IOException e) {
                        // process gone
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("record-http did not start:\n" + seen);
    }
}
