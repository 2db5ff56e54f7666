package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agent-trace record-http --watch}, the command as a user runs it: the MCP Java SDK client
 * on Streamable HTTP and on legacy HTTP+SSE through it to server-everything. A retry storm trips a
 * block rule and the proxy answers the tripping call and every later one itself (legacy: in the
 * session's event stream).
 */
@Timeout(120)
class RecordHttpWatchEndToEndTest {
    @TempDir
    Path dir;

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"streamableHttp", "sse"})
    void aRetryStormIsBlockedInline(String mode) throws Exception {
        boolean legacy = mode.equals("sse");
        try (HttpPeers.Everything server = HttpPeers.everything(mode, dir)) {
            Path config = Files.writeString(dir.resolve("watch.json"), "{\"watchers\": {\"retry\": {\"max\": 1, \"alert\": \"block\"}}}");
            Path traces = dir.resolve("traces");
            List<String> cmd = Peers.cli("record-http", server.url(legacy ? "/sse" : "/mcp").toString(), "--port", "0", "--trace-dir", traces.toString(),
                    "--watch", config.toString());
            Process proxy = new ProcessBuilder(cmd).redirectOutput(dir.resolve("proxy.out").toFile()).start();
            try {
                URI local = listeningUrl(proxy);
                JacksonMcpJsonMapper json = new JacksonMcpJsonMapper(new ObjectMapper());
                McpSyncClient client = McpClient.sync(legacy
                        ? io.modelcontextprotocol.client.transport.HttpClientSseClientTransport.builder("http://" + local.getAuthority())
                                .sseEndpoint(local.getPath()).jsonMapper(json).build()
                        : HttpClientStreamableHttpTransport.builder("http://" + local.getAuthority()).endpoint(local.getPath()).jsonMapper(json).build())
                        .requestTimeout(Duration.ofSeconds(20)).build();
                try {
                    client.initialize();
                    for (int i = 0; i < 2; i++) {
                        CallToolResult failed = client.callTool(CallToolRequest.builder().name("no-such-tool").arguments(Map.of()).build());
                        assertTrue(Boolean.TRUE.equals(failed.isError()), "the server refuses the unknown tool: " + failed);
                        assertTrue(failed.meta() == null || !failed.meta().containsKey("dev.agenttrace/watch"), "not yet blocked: " + failed);
                    }
                    CallToolResult tripping = client.callTool(CallToolRequest.builder().name("no-such-tool").arguments(Map.of()).build());
                    assertBlocked(tripping);
                    CallToolResult later = client.callTool(CallToolRequest.builder().name("echo").arguments(Map.of("message", "hi")).build());
                    assertBlocked(later);
                } finally {
                    client.close();
                }
            } finally {
                proxy.destroy(); // SIGTERM: the proxy ends its sessions (session_end, final meta) and exits
                assertTrue(proxy.waitFor(20, TimeUnit.SECONDS), "record-http exits on SIGTERM");
            }
            assertEquals(0, Files.size(dir.resolve("proxy.out")), "nothing on stdout");
            Path session = Peers.sessionWith(traces, "tool_call");
            List<JsonNode> events = Peers.events(session);
            JsonNode alert = Peers.ofType(events, "decision").stream().filter(e -> "alert".equals(e.at("/data/kind").asText()))
                    .findFirst().orElse(null);
            assertNotNull(alert, events.toString());
            assertEquals("retry", alert.at("/data/rule").asText());
            assertEquals("block", alert.at("/data/choice").asText());
            List<JsonNode> calls = Peers.ofType(events, "tool_call");
            assertEquals(4, calls.size());
            assertEquals(calls.get(2).path("event_id").asText(), alert.path("parent_id").asText(), "linked to the call it refused");
            assertTrue(Peers.ofType(events, "decision").stream().anyMatch(e -> "watch_block".equals(e.at("/data/kind").asText())),
                    "the later refused call has its own decision");
            assertEquals(session.getFileName().toString(), alert.path("session_id").asText(), "the watch and the store agree on the id");
        }
    }

    private static void assertBlocked(CallToolResult r) {
        assertTrue(Boolean.TRUE.equals(r.isError()), String.valueOf(r));
        String text = ((TextContent) r.content().get(0)).text();
        assertTrue(text.startsWith("Blocked by agent-trace watch: rule \"retry\"") && text.contains("NOT executed"), text);
        assertTrue(r.meta() != null && r.meta().containsKey("dev.agenttrace/watch"), String.valueOf(r.meta()));
    }

    /** Reads the proxy's stderr until it says where it listens (then keeps draining it). */
    private static URI listeningUrl(Process proxy) throws Exception {
        BufferedReader err = new BufferedReader(new InputStreamReader(proxy.getErrorStream(), StandardCharsets.UTF_8));
        Pattern p = Pattern.compile("agent-trace: recording (http://\\S+) -> ");
        long end = System.currentTimeMillis() + 30_000;
        String line;
        StringBuilder seen = new StringBuilder();
        while (System.currentTimeMillis() < end && (line = err.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher m = p.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        err.transferTo(java.io.Writer.nullWriter());
                    } catch (java.io.IOException e) {
                        // the proxy ended
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return URI.create(m.group(1));
            }
        }
        throw new AssertionError("record-http did not start: " + seen);
    }
}
