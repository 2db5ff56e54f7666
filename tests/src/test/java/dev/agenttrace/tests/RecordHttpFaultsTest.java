package dev.agenttrace.tests;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.agenttrace.proxy.http.HttpProxy;
import dev.agenttrace.proxy.http.HttpProxyOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream faults staged with WireMock (the only thing it stands in for): the client gets a clear
 * answer, the trace records the fault, and the proxy serves the next request.
 */
@Timeout(30)
class RecordHttpFaultsTest {
    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}";
    private static final String OK_BODY = "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}}";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private WireMockServer upstream;
    private HttpProxy proxy;
    @TempDir
    Path traces;

    @BeforeEach
    void start(org.junit.jupiter.api.TestInfo info) throws Exception {
        upstream = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        upstream.start();
        HttpProxyOptions opts = HttpProxyOptions.defaults(URI.create("http://127.0.0.1:" + upstream.port() + "/mcp"))
                .withTimeouts(10_000, 5_000, 0);
        String test = info.getTestMethod().orElseThrow().getName();
        if (test.startsWith("hanging")) {
            opts = opts.withTimeouts(10_000, 400, 0);
        } else if (test.startsWith("sessions")) {
            opts = opts.withSessionIdle(500);
        } else if (test.startsWith("idle")) {
            opts = opts.withTimeouts(300, 5_000, 0);
        } else if (test.startsWith("stalled")) {
            opts = opts.withTimeouts(10_000, 5_000, 250);
        }
        proxy = HttpPeers.proxy(opts, null, traces);
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        upstream.stop();
    }

    private HttpResponse<String> call() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/mcp"))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(CALL)).build();
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    private void thenTheProxyStillWorks() throws Exception {
        upstream.resetAll();
        upstream.stubFor(post("/mcp").willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(OK_BODY)));
        HttpResponse<String> r = call();
        assertEquals(200, r.statusCode());
        assertEquals(OK_BODY, r.body());
    }

    private List<JsonNode> errors() {
        proxy.close();
        proxy = null;
        return HttpPeers.sessions(traces).stream().flatMap(s -> Peers.ofType(Peers.events(s), "error").stream()).toList();
    }

    @Test
    void upstream500PassesThroughAndIsRecorded() throws Exception {
        upstream.stubFor(post("/mcp").willReturn(aResponse().withStatus(500).withBody("upstream exploded")));
        HttpResponse<String> r = call();
        assertEquals(500, r.statusCode());
        assertEquals("upstream exploded", r.body());
        thenTheProxyStillWorks();
        assertTrue(errors().stream().anyMatch(e -> e.at("/data/message").asText().contains("500")));
    }

    @Test
    void unauthorizedPassesThroughAndTheTokenNeverReachesTheTrace() throws Exception {
        upstream.stubFor(post("/mcp").withHeader("Authorization", com.github.tomakehurst.wiremock.client.WireMock.equalTo("Bearer tok-123"))
                .willReturn(aResponse().withStatus(401)
                        .withHeader("WWW-Authenticate", "Bearer resource_metadata=\"https://auth.example/.well-known/oauth-protected-resource\"")
                        .withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid_token\"}")));
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/mcp"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer tok-123").header("Cookie", "sid=cookie-456")
                .POST(HttpRequest.BodyPublishers.ofString(CALL)).build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").contains("resource_metadata"));
        assertEquals("{\"error\":\"invalid_token\"}", r.body());
        upstream.verify(postRequestedFor(urlEqualTo("/mcp")).withHeader("Cookie", com.github.tomakehurst.wiremock.client.WireMock.equalTo("sid=cookie-456")));
        proxy.close();
        proxy = null;
        for (Path s : HttpPeers.sessions(traces)) {
            for (String f : List.of("events.ndjson", "meta.json", "messages.ndjson")) {
                Path p = s.resolve(f);
                if (java.nio.file.Files.exists(p)) {
                    String text = java.nio.file.Files.readString(p);
                    assertTrue(!text.contains("tok-123") && !text.contains("cookie-456"), f + " holds a credential: " + text);
                }
            }
        }
    }

    @Test
    void aPartlyBlockedBatchIsAnsweredWholeAndNothingIsSent() throws Exception {
        java.nio.file.Path policyFile = traces.resolve("policy.json");
        java.nio.file.Files.writeString(policyFile, "{\"files\":{\"read\":{\"deny\":[\".env\"]}}}");
        try (var policy = dev.agenttrace.rules.LivePolicy.load(policyFile, new dev.agenttrace.rules.scope.JudgeContext(traces, traces), System.err, 500);
             HttpProxy guarded = HttpPeers.proxy(HttpProxyOptions.defaults(URI.create("http://127.0.0.1:" + upstream.port() + "/mcp")),
                     new dev.agenttrace.rules.Guard(policy, dev.agenttrace.rules.PolicyMode.ENFORCE), traces.resolve("guarded"))) {
            String batch = "[{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"tools/call\",\"params\":{\"name\":\"read_file\",\"arguments\":{\"path\":\".env\"}}},"
                    + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}]";
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + guarded.port() + "/mcp"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(batch)).build();
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode answer = Peers.JSON.readTree(r.body());
            assertEquals(2, answer.size(), r.body());
            assertEquals("a", answer.get(0).get("id").asText());
            assertTrue(answer.get(0).at("/result/isError").asBoolean(), "the blocked call gets its blocked result");
            assertEquals(2, answer.get(1).get("id").asInt());
            assertEquals(-32600, answer.get(1).at("/error/code").asInt(), "the other call is told it was not sent");
        }
        assertEquals(0, upstream.getAllServeEvents().size(), "nothing reached the upstream");
    }

    @Test
    void idleTimeoutEndsHalfSentRequestsButNotQuietEventStreams() throws Exception {
        // 300 ms request idle timeout: a request that stops half way gets 408
        assertEquals(408, RecordHttpEndToEndTest.status(proxy.port(), "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + proxy.port()
                + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"jsonrpc\""));
        // an event stream quiet for 600 ms between events is not cut
        String event = "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\"}\n\n";
        upstream.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get("/mcp").willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/event-stream").withBody(event + event).withChunkedDribbleDelay(2, 1200)));
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/mcp"))
                .header("Accept", "text/event-stream").header("Mcp-Session-Id", "s-1").GET().build();
        HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals(event + event, r.body());
    }

    @Test
    void sessionsEndWhenTheUpstreamForgetsThemOrWhenIdle() throws Exception {
        upstream.stubFor(post("/mcp").withHeader("Mcp-Session-Id", com.github.tomakehurst.wiremock.client.WireMock.equalTo("gone"))
                .willReturn(aResponse().withStatus(404)));
        upstream.stubFor(post("/mcp").withHeader("Mcp-Session-Id", com.github.tomakehurst.wiremock.client.WireMock.equalTo("quiet"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(OK_BODY)));
        for (String sid : List.of("gone", "quiet")) {
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/mcp"))
                    .header("Content-Type", "application/json").header("Mcp-Session-Id", sid)
                    .POST(HttpRequest.BodyPublishers.ofString(CALL)).build();
            http.send(req, HttpResponse.BodyHandlers.ofString());
        }
        long end = System.currentTimeMillis() + 20_000; // a wait for the event, not a bound on it
        java.util.Map<String, String> reasons = java.util.Map.of();
        while (System.currentTimeMillis() < end && reasons.size() < 2) {
            Thread.sleep(50);
            reasons = new java.util.HashMap<>();
            for (Path s : HttpPeers.sessions(traces)) {
                List<JsonNode> events = Peers.events(s);
                List<JsonNode> ends = Peers.ofType(events, "session_end");
                if (!ends.isEmpty()) {
                    reasons.put(events.get(0).at("/data/mcp_session_id").asText(), ends.get(0).at("/data/reason").asText());
                }
            }
        }
        assertEquals(java.util.Map.of("gone", "expired", "quiet", "idle"), reasons);
    }

    @Test
    void connectionResetBecomes502WithAJsonRpcError() throws Exception {
        upstream.stubFor(post("/mcp").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        HttpResponse<String> r = call();
        assertEquals(502, r.statusCode());
        JsonNode body = Peers.JSON.readTree(r.body());
        assertEquals(7, body.get("id").asInt(), "the error answers the call");
        assertTrue(body.at("/error/message").asText().startsWith("agent-trace: "), r.body());
        // the cause in words, not the native transport's syscall name and errno
        assertTrue(body.at("/error/message").asText().contains("(Connection reset by peer)"), r.body());
        assertFalse(body.at("/error/message").asText().contains("failed with error"), r.body());
        thenTheProxyStillWorks();
        List<JsonNode> errors = errors();
        assertTrue(errors.stream().anyMatch(e -> e.at("/data/request_id").asInt() == 7), errors.toString());
    }

    @Test
    void hangingUpstreamBecomes504() throws Exception {
        // warm up (whatever the answer): the first exchange loads classes on both sides
        upstream.stubFor(post("/mcp").willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(OK_BODY)));
        call();
        upstream.resetAll();
        // the upstream answers 200 after 6 s, fifteen times the proxy's 400 ms timeout: a proxy that
        // waited for it would pass that 200 on; no bound on the elapsed time (a slow machine may
        // take its time to answer the 504, which is still the timeout's answer)
        upstream.stubFor(post("/mcp").willReturn(aResponse().withStatus(200).withFixedDelay(6000).withBody(OK_BODY)));
        HttpResponse<String> r = call();
        assertEquals(504, r.statusCode(), "answered at the timeout, not when the upstream woke: " + r.body());
        assertTrue(r.body().contains("did not answer"), r.body());
        thenTheProxyStillWorks();
        assertTrue(errors().stream().anyMatch(e -> e.at("/data/message").asText().contains("did not answer")));
    }

    @Test
    void stalledEventStreamEndsWithAnErrorForTheCall() throws Exception {
        String half = ": keep-alive, then nothing....\n\n";
        upstream.stubFor(post("/mcp").willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
                .withBody(half + half).withChunkedDribbleDelay(2, 1200)));
        HttpResponse<String> r = call();
        assertEquals(200, r.statusCode());
        assertTrue(r.body().startsWith(half), r.body());
        assertTrue(r.body().contains("\"id\":7") && r.body().contains("sent nothing on the event stream"), r.body());
        upstream.verify(postRequestedFor(urlEqualTo("/mcp")));
        thenTheProxyStillWorks();
    }
}
