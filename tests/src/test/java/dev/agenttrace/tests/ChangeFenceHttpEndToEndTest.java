package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.proxy.http.HttpProxy;
import dev.agenttrace.proxy.http.HttpProxyOptions;
import dev.agenttrace.rules.Guard;
import dev.agenttrace.rules.LivePolicy;
import dev.agenttrace.rules.PolicyMode;
import dev.agenttrace.rules.scope.JudgeContext;
import dev.agenttrace.tests.peers.LoggingHttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, "Time", through {@code record-http} (Streamable HTTP): while a {@code Bash} call is
 * forwarded and unanswered, a read of the same session sent on another connection waits in the
 * proxy, without holding up anything else (a ping goes through, and the Bash answer comes back on
 * the same event loops); once the Bash call is answered, the read is judged and forwarded.
 */
@Timeout(120)
class ChangeFenceHttpEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aReadWaitsForTheRunningCommandAndNothingElseDoes() throws Exception {
        Path root = Files.createDirectories(dir.toRealPath().resolve("proj"));
        Files.createDirectories(root.resolve("src"));
        Files.writeString(root.resolve("src/a.txt"), "a");
        Path policyFile = dir.resolve("policy.json");
        Files.writeString(policyFile, "{\"files\":{\"read\":{\"deny\":[\"~/.ssh/**\"]},\"write\":{\"allow\":[\"src/**\"]}}}");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        CountDownLatch release = new CountDownLatch(1);
        try (LoggingHttpServer upstream = new LoggingHttpServer();
             LivePolicy policy = LivePolicy.load(policyFile, new JudgeContext(root, root), System.err, 0);
             HttpProxy proxy = HttpPeers.proxy(HttpProxyOptions.defaults(upstream.url("/mcp")), new Guard(policy, PolicyMode.ENFORCE),
                     dir.resolve("traces"))) {
            URI url = URI.create("http://127.0.0.1:" + proxy.port() + "/mcp");
            HttpResponse<String> init = http.send(post(url, null, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":"
                    + "{\"protocolVersion\":\"2025-03-26\",\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}"), HttpResponse.BodyHandlers.ofString());
            String sid = init.headers().firstValue("mcp-session-id").orElseThrow();
            upstream.holdBash(release);
            CompletableFuture<HttpResponse<String>> bash = http.sendAsync(post(url, sid, call(1, "Bash", "command", "make")),
                    HttpResponse.BodyHandlers.ofString());
            long end = System.currentTimeMillis() + 30_000;
            while (!upstream.toolCalls().contains("1") && System.currentTimeMillis() < end) {
                Thread.sleep(10);
            }
            assertTrue(upstream.toolCalls().contains("1"), "the command reached the server");
            CompletableFuture<HttpResponse<String>> read = http.sendAsync(post(url, sid, call(2, "read_file", "path", "src/a.txt")),
                    HttpResponse.BodyHandlers.ofString());
            // other traffic of the session goes on meanwhile
            HttpResponse<String> ping = http.send(post(url, sid, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}"),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ping.statusCode(), ping.body());
            assertEquals(3, JSON.readTree(ping.body()).get("id").asInt());
            assertFalse(read.isDone(), "the read was answered while the command still ran");
            assertFalse(upstream.toolCalls().contains("2"), "the read was forwarded while the command still ran");
            release.countDown();
            assertEquals(1, JSON.readTree(bash.get(30, TimeUnit.SECONDS).body()).get("id").asInt());
            JsonNode answer = JSON.readTree(read.get(30, TimeUnit.SECONDS).body());
            assertEquals(2, answer.get("id").asInt());
            assertFalse(answer.at("/result/isError").asBoolean(), answer.toString());
            assertTrue(upstream.toolCalls().contains("2"), "the read went on once the command was answered");
        } finally {
            release.countDown();
        }
    }

    private static HttpRequest post(URI url, String sid, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").POST(HttpRequest.BodyPublishers.ofString(body));
        if (sid != null) {
            b.header("Mcp-Session-Id", sid);
        }
        return b.build();
    }

    private static String call(int id, String tool, String key, String value) throws Exception {
        return JSON.writeValueAsString(JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", "tools/call")
                .set("params", JSON.createObjectNode().put("name", tool).set("arguments", JSON.createObjectNode().put(key, value))));
    }
}
