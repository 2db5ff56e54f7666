package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.proxy.http.HttpProxy;
import dev.agenttrace.proxy.http.HttpProxyOptions;
import dev.agenttrace.rules.Guard;
import dev.agenttrace.rules.LivePolicy;
import dev.agenttrace.rules.PolicyMode;
import dev.agenttrace.rules.scope.JudgeContext;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientSseClientTransport;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ClientCapabilities;
import io.modelcontextprotocol.spec.McpSchema.CreateMessageResult;
import io.modelcontextprotocol.spec.McpSchema.Role;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * record-http in this JVM between the MCP Java SDK client and server-everything, on both
 * transports: the legacy HTTP+SSE relay, blocking through the policy, and the refusals.
 */
@Timeout(60)
class RecordHttpEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path logs;
    private static HttpPeers.Everything streamable;
    private static HttpPeers.Everything sse;

    @BeforeAll
    static void startServers() throws Exception {
        streamable = HttpPeers.everything("streamableHttp", logs);
        sse = HttpPeers.everything("sse", logs);
    }

    @AfterAll
    static void stopServers() {
        if (streamable != null) {
            streamable.close();
        }
        if (sse != null) {
            sse.close();
        }
    }

    private static McpSyncClient client(McpClientTransport transport, AtomicInteger progress) {
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20)).progressConsumer(p -> progress.incrementAndGet()).build();
    }

    private static McpClientTransport legacyTransport(HttpProxy proxy) {
        return HttpClientSseClientTransport.builder("http://127.0.0.1:" + proxy.port()).sseEndpoint("/sse")
                .jsonMapper(new JacksonMcpJsonMapper(JSON)).build();
    }

    private static McpClientTransport streamableTransport(HttpProxy proxy) {
        return HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + proxy.port()).endpoint("/mcp")
                .jsonMapper(new JacksonMcpJsonMapper(JSON)).build();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void relaysAndRecordsALegacySseSession(boolean transportGiven, @TempDir Path traces) throws Exception {
        AtomicInteger progress = new AtomicInteger();
        HttpProxyOptions opts = HttpProxyOptions.defaults(sse.url("/sse"));
        if (transportGiven) {
            opts = opts.withTransport(dev.agenttrace.proxy.http.Transport.SSE);
        }
        try (HttpProxy proxy = HttpPeers.proxy(opts, null, traces)) {
            try (McpSyncClient client = client(legacyTransport(proxy), progress)) {
                assertEquals("mcp-servers/everything", client.initialize().serverInfo().name());
                var echo = client.callTool(CallToolRequest.builder().name("echo").arguments(Map.of("message", "legacy")).build());
                assertEquals("Echo: legacy", ((TextContent) echo.content().get(0)).text());
                client.callTool(CallToolRequest.builder().name("trigger-long-running-operation")
                        .arguments(Map.of("duration", 1, "steps", 2)).progressToken("p-1").build());
            }
        }
        // the SDK client hands notifications to the consumer asynchronously: allow it a moment
        assertEquals(2, HttpPeers.awaitCount(progress, 2, 5000), "progress events of the SSE stream reached the client");
        Path session = Peers.onlySession(traces);
        JsonNode meta = Peers.meta(session);
        assertEquals(2, meta.get("tool_calls").asInt());
        assertTrue(meta.at("/attribution/message_endpoint").asText().startsWith("/message?sessionId="), meta.toString());
        List<JsonNode> events = Peers.events(session);
        assertEquals("sse", events.get(0).at("/data/transport").asText(), "detected or given, the session is a legacy one");
        assertEquals("Echo: legacy", Peers.ofType(events, "tool_result").get(0).at("/data/content_preview").asText());
        assertEquals("session_end", events.get(events.size() - 1).path("event_type").asText());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"streamable", "sse"})
    void serverToClientRequestsAndListChangedReachTheClient(String mode, @TempDir Path traces) throws Exception {
        boolean legacy = mode.equals("sse");
        HttpProxyOptions opts = HttpProxyOptions.defaults(legacy ? sse.url("/sse") : streamable.url("/mcp"));
        AtomicInteger sampled = new AtomicInteger();
        java.util.concurrent.CountDownLatch toolsChanged = new java.util.concurrent.CountDownLatch(1);
        try (HttpProxy proxy = HttpPeers.proxy(opts, null, traces)) {
            McpClientTransport t = legacy ? legacyTransport(proxy) : streamableTransport(proxy);
            try (McpSyncClient client = McpClient.sync(t).requestTimeout(Duration.ofSeconds(20))
                    .capabilities(ClientCapabilities.builder().sampling().build())
                    .toolsChangeConsumer(tools -> toolsChanged.countDown())
                    .sampling(req -> {
                        sampled.incrementAndGet();
                        return CreateMessageResult.builder().role(Role.ASSISTANT).content(new TextContent("sampled!"))
                                .model("test-model").build();
                    }).build()) {
                client.initialize();
                // server-everything registers its sampling tool once it knows the client samples and says
                // so with list_changed: on the legacy stream, which is open before initialize, always; on
                // Streamable HTTP only if the client's GET stream won the race with the registration
                boolean changed = toolsChanged.await(legacy ? 10 : 1, java.util.concurrent.TimeUnit.SECONDS);
                assertTrue(changed || !legacy, "tools/list_changed reached the client");
                CallToolResult r = client.callTool(CallToolRequest.builder().name("trigger-sampling-request")
                        .arguments(Map.of("prompt", "hi", "maxTokens", 10)).build());
                assertTrue(((TextContent) r.content().get(0)).text().contains("sampled!"), r.toString());
            }
        }
        assertEquals(1, sampled.get());
        List<JsonNode> events = Peers.events(Peers.onlySession(traces));
        assertTrue(Peers.ofType(events, "llm_request").size() >= 1, "the sampling request is in the trace: " + events);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"http", "sse"})
    void theTypeScriptSdkClientWorksThroughTheProxyToo(String kind, @TempDir Path traces) throws Exception {
        boolean legacy = kind.equals("sse");
        HttpProxyOptions opts = HttpProxyOptions.defaults(legacy ? sse.url("/sse") : streamable.url("/mcp"));
        String out;
        try (HttpProxy proxy = HttpPeers.proxy(opts, null, traces)) {
            Process node = new ProcessBuilder("node", Peers.ROOT.resolve("tests/npm/node_client_check.mjs").toString(),
                    proxy.localUrl().toString(), kind).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertEquals(0, node.waitFor(), out);
        }
        JsonNode result = JSON.readTree(out);
        assertEquals("Echo: from node", result.path("echo").asText(), out);
        Path session = Peers.onlySession(traces);
        List<JsonNode> events = Peers.events(session);
        assertEquals("Echo: from node", Peers.ofType(events, "tool_result").get(0).at("/data/content_preview").asText());
        if (!legacy) {
            assertEquals("deleted", events.get(events.size() - 1).at("/data/reason").asText(), "DELETE ended the session");
        }
    }

    @Test
    void runsOnTheSocketTransportThisRunAskedFor() {
        // the build runs this class twice: on native epoll (Linux), and on the Java NIO fallback
        String expected = Boolean.getBoolean("agenttrace.http.nio") ? "nio"
                : io.netty.channel.epoll.Epoll.isAvailable() ? "epoll" : "nio";
        assertEquals(expected, HttpProxy.io());
    }

    @Test
    void resumesAStreamWithLastEventIdThroughTheProxy(@TempDir Path traces) throws Exception {
        try (HttpProxy proxy = HttpPeers.proxy(HttpProxyOptions.defaults(streamable.url("/mcp")), null, traces)) {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            URI url = proxy.localUrl();
            var init = post(http, url, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                    + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}");
            String sid = init.headers().firstValue("mcp-session-id").orElseThrow();
            post(http, url, sid, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            String first = eventId(post(http, url, sid, echo(2, "first")).body());
            post(http, url, sid, echo(3, "second"));
            // the client lost the stream after 'first': GET with Last-Event-ID replays what followed
            var resume = java.net.http.HttpRequest.newBuilder(url).header("Accept", "text/event-stream").header("Mcp-Session-Id", sid)
                    .header("MCP-Protocol-Version", "2025-06-18").header("Last-Event-ID", first).GET().build();
            var stream = http.send(resume, java.net.http.HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, stream.statusCode());
            String replayed = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> stream.body().filter(l -> l.contains("Echo: second")).findFirst().orElse(""))
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(replayed.contains("\"id\":3"), replayed);
        }
    }

    private static java.net.http.HttpResponse<String> post(java.net.http.HttpClient http, URI url, String sid, String body) throws Exception {
        var b = java.net.http.HttpRequest.newBuilder(url).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
        if (sid != null) {
            b.header("Mcp-Session-Id", sid).header("MCP-Protocol-Version", "2025-06-18");
        }
        var r = http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() == 200 || r.statusCode() == 202, r.statusCode() + " " + r.body());
        return r;
    }

    private static String echo(int id, String message) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\""
                + message + "\"}}}";
    }

    private static String eventId(String sse) {
        return sse.lines().filter(l -> l.startsWith("id: ")).map(l -> l.substring(4)).findFirst().orElseThrow(() -> new AssertionError(sse));
    }

    @Test
    void blockedStreamableCallIsAnsweredByTheProxy(@TempDir Path traces) throws Exception {
        try (LivePolicy policy = denyNetwork(traces); HttpProxy proxy = HttpPeers.proxy(HttpProxyOptions.defaults(streamable.url("/mcp")),
                new Guard(policy, PolicyMode.ENFORCE), traces.resolve("t"))) {
            try (McpSyncClient client = client(streamableTransport(proxy), new AtomicInteger())) {
                client.initialize();
                CallToolResult blocked = client.callTool(CallToolRequest.builder().name("echo")
                        .arguments(Map.of("message", "https://evil.example/x")).build());
                assertBlocked(blocked);
                var echo = client.callTool(CallToolRequest.builder().name("echo").arguments(Map.of("message", "http://localhost/fine")).build());
                assertEquals("Echo: http://localhost/fine", ((TextContent) echo.content().get(0)).text(), "the session goes on after a block");
            }
        }
        assertDecisionRecorded(traces.resolve("t"));
    }

    @Test
    void blockedLegacyCallIsInjectedIntoTheSseStream(@TempDir Path traces) throws Exception {
        try (LivePolicy policy = denyNetwork(traces); HttpProxy proxy = HttpPeers.proxy(HttpProxyOptions.defaults(sse.url("/sse")),
                new Guard(policy, PolicyMode.ENFORCE), traces.resolve("t"))) {
            try (McpSyncClient client = client(legacyTransport(proxy), new AtomicInteger())) {
                client.initialize();
                assertBlocked(client.callTool(CallToolRequest.builder().name("echo")
                        .arguments(Map.of("message", "https://evil.example/x")).build()));
                var echo = client.callTool(CallToolRequest.builder().name("echo").arguments(Map.of("message", "http://localhost/fine")).build());
                assertEquals("Echo: http://localhost/fine", ((TextContent) echo.content().get(0)).text());
            }
        }
        assertDecisionRecorded(traces.resolve("t"));
    }

    private static LivePolicy denyNetwork(Path dir) throws Exception {
        Path file = dir.resolve("policy.json");
        // echo's message is declared a URL, so the reference server's echo can stand for a fetch
        Files.writeString(file, "{\"network\":{\"deny_all\":true,\"allow\":[\"localhost\"]},"
                + "\"tools\":{\"echo\":{\"kind\":\"url\",\"args\":[\"message\"]}}}");
        return LivePolicy.load(file, new JudgeContext(dir, dir), System.err, 500);
    }

    private static void assertBlocked(CallToolResult r) {
        assertTrue(r.isError(), "a blocked call is an isError result, not a JSON-RPC error");
        String text = ((TextContent) r.content().get(0)).text();
        assertTrue(text.contains("NOT executed"), text);
        assertTrue(r.meta().containsKey("dev.agenttrace/policy"), String.valueOf(r.meta()));
    }

    private static void assertDecisionRecorded(Path traces) {
        Path session = Peers.onlySession(traces);
        List<JsonNode> events = Peers.events(session);
        List<JsonNode> decisions = Peers.ofType(events, "decision");
        assertEquals(1, decisions.size(), events.toString());
        assertEquals("block", decisions.get(0).at("/data/choice").asText());
        assertEquals(2, Peers.ofType(events, "tool_call").size());
        List<JsonNode> results = Peers.ofType(events, "tool_result");
        assertTrue(results.get(0).at("/data/is_error").asBoolean(), results.toString());
    }

    @Test
    void refusesForeignOriginsHostsAndOversizedRequests(@TempDir Path traces) throws Exception {
        HttpProxyOptions opts = HttpProxyOptions.defaults(streamable.url("/mcp")).withLimits(4096, 2048);
        try (HttpProxy proxy = HttpPeers.proxy(opts, null, traces)) {
            int port = proxy.port();
            String ok = "Host: 127.0.0.1:" + port + "\r\n";
            assertEquals(403, status(port, "POST /mcp HTTP/1.1\r\n" + ok + "Origin: http://evil.example\r\nContent-Length: 2\r\n\r\n{}"));
            assertEquals(421, status(port, "POST /mcp HTTP/1.1\r\nHost: evil.example:" + port + "\r\nContent-Length: 2\r\n\r\n{}"));
            assertEquals(421, status(port, "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n"));
            assertEquals(413, status(port, "POST /mcp HTTP/1.1\r\n" + ok + "Content-Length: 5000\r\n\r\n" + "x".repeat(5000)));
            assertEquals(413, status(port, "POST /mcp HTTP/1.1\r\n" + ok + "Transfer-Encoding: chunked\r\n\r\n1388\r\n" + "x".repeat(5000) + "\r\n0\r\n\r\n"));
            assertEquals(431, status(port, "POST /mcp HTTP/1.1\r\n" + ok + "X-Big: " + "y".repeat(3000) + "\r\nContent-Length: 2\r\n\r\n{}"));
            assertEquals(404, status(port, "GET /other HTTP/1.1\r\n" + ok + "\r\n"));
            assertEquals(403, status(port, "GET /mcp HTTP/1.1\r\n" + ok + "Origin: null\r\n\r\n"));
            // a local origin passes the proxy; the upstream answers (400: no session)
            assertEquals(400, status(port, "GET /mcp HTTP/1.1\r\n" + ok + "Origin: http://localhost:5173\r\nAccept: text/event-stream\r\n\r\n"));
        }
    }

    @Test
    void aNameGivenWithAllowHostIsServedAndEveryOtherNameStillRefused(@TempDir Path traces) throws Exception {
        // --bind 0.0.0.0 --allow-host mcp.lan: the LAN name works, rebinding through any other name does not
        HttpProxyOptions opts = HttpProxyOptions.defaults(streamable.url("/mcp")).withAllowedHosts(List.of("mcp.lan", "[fd00::2]"));
        try (HttpProxy proxy = HttpPeers.proxy(opts, null, traces)) {
            int port = proxy.port();
            String sse = "Accept: text/event-stream\r\n\r\n";
            // served: the upstream answers (400: no session)
            assertEquals(400, status(port, "GET /mcp HTTP/1.1\r\nHost: mcp.lan:" + port + "\r\n" + sse));
            assertEquals(400, status(port, "GET /mcp HTTP/1.1\r\nHost: MCP.LAN:" + port + "\r\n" + sse));
            assertEquals(400, status(port, "GET /mcp HTTP/1.1\r\nHost: [fd00::2]:" + port + "\r\n" + sse));
            assertEquals(400, status(port, "GET /mcp HTTP/1.1\r\nHost: mcp.lan:" + port + "\r\nOrigin: http://mcp.lan:8080\r\n" + sse));
            assertEquals(400, status(port, "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n" + sse));
            // refused: other names, the allowed name on another port, foreign origins
            assertEquals(421, status(port, "GET /mcp HTTP/1.1\r\nHost: evil.lan:" + port + "\r\n" + sse));
            assertEquals(421, status(port, "GET /mcp HTTP/1.1\r\nHost: mcp.lan.evil.example:" + port + "\r\n" + sse));
            assertEquals(421, status(port, "GET /mcp HTTP/1.1\r\nHost: mcp.lan:1\r\n" + sse));
            assertEquals(403, status(port, "GET /mcp HTTP/1.1\r\nHost: mcp.lan:" + port + "\r\nOrigin: http://evil.lan\r\n" + sse));
            assertEquals(403, status(port, "GET /mcp HTTP/1.1\r\nHost: mcp.lan:" + port + "\r\nOrigin: file://mcp.lan\r\n" + sse));
        }
    }

    @Test
    void aProxyOnAWildcardAddressNamesALoopbackUrlThatWorks(@TempDir Path traces) throws Exception {
        // "recording http://0.0.0.0:3100/mcp" is where it listens, not a URL a client can use
        HttpProxyOptions opts = HttpProxyOptions.defaults(streamable.url("/mcp")).withBind("0.0.0.0");
        try (HttpProxy proxy = HttpPeers.proxy(opts, null, traces)) {
            java.net.URI url = proxy.localUrl();
            assertEquals("127.0.0.1", url.getHost(), url.toString());
            assertEquals(proxy.port(), url.getPort());
            assertEquals(400, status(url.getPort(), "GET " + url.getRawPath() + " HTTP/1.1\r\nHost: " + url.getAuthority()
                    + "\r\nAccept: text/event-stream\r\n\r\n"), "served through the named URL (the upstream answers 400: no session)");
        }
    }

    /** Sends raw bytes and returns the status code of the response. */
    static int status(int port, String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(request.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (java.io.IOException e) {
                // the proxy may answer and close before reading everything: read what it said
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                line.write(b);
            }
            String statusLine = line.toString(StandardCharsets.US_ASCII);
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }
}
