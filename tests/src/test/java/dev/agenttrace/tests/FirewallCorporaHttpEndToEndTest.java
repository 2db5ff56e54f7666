package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.proxy.http.HttpProxy;
import dev.agenttrace.proxy.http.HttpProxyOptions;
import dev.agenttrace.rules.Guard;
import dev.agenttrace.rules.LivePolicy;
import dev.agenttrace.rules.PolicyMode;
import dev.agenttrace.rules.scope.JudgeContext;
import dev.agenttrace.tests.peers.LoggingHttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The issue-16 corpora through {@code record-http}, on both transports, to an HTTP server that
 * remembers every {@code tools/call} it receives: no hostile call may reach it, every benign one
 * must. One session per policy and transport (the proxy in this JVM), every case a call in it.
 */
@Timeout(300)
class FirewallCorporaHttpEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    /** One MCP session through the proxy: sends a message, returns the answer to it (null for none). */
    private interface Session extends AutoCloseable {
        JsonNode send(ObjectNode msg) throws Exception;

        @Override
        default void close() {
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"streamable", "legacy-sse"})
    void noHostileCallReachesTheServerAndEveryBenignOneDoes(String transport) throws Exception {
        Path base = dir.toRealPath();
        JsonNode hostile = FirewallCorporaEndToEndTest.corpus("hostile-corpus.json");
        JsonNode benign = FirewallCorporaEndToEndTest.corpus("benign-corpus.json");
        Path[] rh = FirewallCorporaEndToEndTest.fixture(hostile.get("fixture"), base);
        Path root = rh[0];
        Path home = rh[1];
        Map<String, List<JsonNode>> byPolicy = new LinkedHashMap<>();
        Map<String, JsonNode> policies = new HashMap<>();
        for (JsonNode corpus : List.of(hostile, benign)) {
            corpus.get("policies").properties().forEach(e -> policies.put(e.getKey(), e.getValue()));
            for (JsonNode c : corpus.get("cases")) {
                byPolicy.computeIfAbsent(c.get("policy").asText(), k -> new ArrayList<>()).add(c);
            }
        }
        List<String> bypasses = new ArrayList<>();
        List<String> falseBlocks = new ArrayList<>();
        int hostileCount = 0;
        int benignCount = 0;
        int nextId = 1000;
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        try (LoggingHttpServer upstream = new LoggingHttpServer()) {
            for (Map.Entry<String, List<JsonNode>> e : byPolicy.entrySet()) {
                Path policyFile = Files.createDirectories(base.resolve("policies")).resolve(e.getKey() + ".json");
                Files.writeString(policyFile, JSON.writeValueAsString(policies.get(e.getKey())));
                PrintStream err = new PrintStream(stderr, true);
                try (LivePolicy policy = LivePolicy.load(policyFile, new JudgeContext(root, home), err, 0);
                     HttpProxy proxy = HttpPeers.proxy(HttpProxyOptions.defaults(upstream.url(transport.equals("streamable") ? "/mcp" : "/sse")),
                             new Guard(policy, PolicyMode.ENFORCE), base.resolve("traces"));
                     Session s = transport.equals("streamable") ? streamable(proxy) : legacy(proxy)) {
                    JsonNode init = s.send(message(nextId++, "initialize", JSON.createObjectNode().put("protocolVersion", "2025-03-26")
                            .set("clientInfo", JSON.createObjectNode().put("name", "corpus").put("version", "1"))));
                    assertEquals("logging-http-server", init.at("/result/serverInfo/name").asText(), init.toString());
                    for (JsonNode c : e.getValue()) {
                        int id = nextId++;
                        String args = JSON.writeValueAsString(c.get("args")).replace("@ROOT@", root.toString())
                                .replace("@HOME@", home.toString()).replace("@BASE@", base.toString());
                        JsonNode reply = s.send(FirewallCorporaEndToEndTest.toolsCall(id, c.get("tool").asText(), JSON.readTree(args)));
                        assertNotNull(reply, c.get("id") + ": no answer");
                        boolean arrived = upstream.toolCalls().contains(Integer.toString(id));
                        if (c.get("expect").asText().equals("allow")) {
                            benignCount++;
                            if (!arrived) {
                                falseBlocks.add(c.get("id").asText() + " " + reply);
                            }
                        } else {
                            hostileCount++;
                            if (arrived) {
                                bypasses.add(c.get("id").asText() + " " + c.get("args"));
                            } else {
                                assertTrue(reply.at("/result/content/0/text").asText().contains("NOT executed"), c.get("id") + ": " + reply);
                            }
                        }
                    }
                }
            }
        }
        System.out.printf("firewall corpora through record-http (%s): %d hostile, %d bypasses; %d benign, %d false blocks%n",
                transport, hostileCount, bypasses.size(), benignCount, falseBlocks.size());
        assertTrue(hostileCount >= 300 && benignCount >= 150);
        assertEquals(List.of(), bypasses, "hostile calls that reached the server");
        assertEquals(List.of(), falseBlocks, "benign calls that did not");
    }

    private static ObjectNode message(int id, String method, ObjectNode params) {
        ObjectNode m = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        m.set("params", params);
        return m;
    }

    /** Streamable HTTP: one POST per message, its answer in the response. */
    private Session streamable(HttpProxy proxy) {
        URI url = URI.create("http://127.0.0.1:" + proxy.port() + "/mcp");
        String[] sid = {null};
        return msg -> {
            HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(msg)));
            if (sid[0] != null) {
                b.header("Mcp-Session-Id", sid[0]);
            }
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            r.headers().firstValue("mcp-session-id").ifPresent(v -> sid[0] = v);
            assertEquals(200, r.statusCode(), new String(r.body()));
            return JSON.readTree(r.body());
        };
    }

    /** Legacy HTTP+SSE: POSTs to the endpoint the stream announced, answers on the stream. */
    private Session legacy(HttpProxy proxy) throws Exception {
        CompletableFuture<String> endpoint = new CompletableFuture<>();
        Map<String, CompletableFuture<JsonNode>> answers = new ConcurrentHashMap<>();
        HttpResponse<Stream<String>> stream = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/sse"))
                .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, stream.statusCode());
        Thread reader = new Thread(() -> {
            String event = "message";
            StringBuilder data = new StringBuilder();
            for (String line : (Iterable<String>) stream.body()::iterator) {
                if (line.startsWith("event:")) {
                    event = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).trim());
                } else if (line.isEmpty() && data.length() > 0) {
                    if (event.equals("endpoint")) {
                        endpoint.complete(data.toString());
                    } else {
                        try {
                            JsonNode m = JSON.readTree(data.toString());
                            answers.computeIfAbsent(String.valueOf(m.get("id")), k -> new CompletableFuture<>()).complete(m);
                        } catch (Exception ignored) {
                            // not for us
                        }
                    }
                    event = "message";
                    data.setLength(0);
                }
            }
        }, "sse-reader");
        reader.setDaemon(true);
        reader.start();
        URI post = URI.create("http://127.0.0.1:" + proxy.port()).resolve(endpoint.get(20, TimeUnit.SECONDS));
        return new Session() {
            @Override
            public JsonNode send(ObjectNode msg) throws Exception {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(post).timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(msg))).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(202, r.statusCode(), r.body());
                return answers.computeIfAbsent(String.valueOf(msg.get("id")), k -> new CompletableFuture<>()).get(60, TimeUnit.SECONDS);
            }

            @Override
            public void close() {
                stream.body().close();
            }
        };
    }
}
