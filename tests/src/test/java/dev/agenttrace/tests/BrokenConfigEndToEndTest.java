package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.tests.peers.SdkTestServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20: a typo in the policy or the watch file still stops enforcement (nothing reaches the
 * server), but the client is told why: the real MCP Java SDK client's {@code initialize} fails with
 * an error naming the file, the line, the problem and the fix, instead of "Connection closed".
 */
@Timeout(90)
class BrokenConfigEndToEndTest {
    @TempDir
    Path dir;

    private static final String TYPO = "{\n  \"commands\": {\n    \"dney\": [\"curl\"]\n  }\n}\n";

    @Test
    void aPolicyTypoReachesTheStdioClientAsAnErrorNamingFileAndLine() throws Exception {
        Path policy = Files.writeString(dir.resolve(".agent-scope.json"), TYPO);
        Path log = dir.resolve("server-calls.log");
        List<String> cmd = new ArrayList<>(Peers.cli("record", "--trace-dir", dir.resolve("traces").toString(), "--policy", policy.toString()));
        cmd.add("--");
        cmd.addAll(Peers.javaMain(SdkTestServer.class, "--log", log.toString()));
        try (McpSyncClient c = FirewallEndToEndTest.client(cmd)) {
            RuntimeException e = assertThrows(RuntimeException.class, c::initialize);
            assertNamesTheSpot(e, policy + ":3:");
        }
        assertTrue(!Files.exists(log) || Files.readAllLines(log).isEmpty(), "nothing reached the server");
    }

    @Test
    void aWatchTypoReachesTheStdioClientToo() throws Exception {
        Path watch = Files.writeString(dir.resolve("watch.json"), "{\"watchers\": {\n \"retry\": {\"max\": \"three\"}}}");
        List<String> cmd = new ArrayList<>(Peers.cli("record", "--trace-dir", dir.resolve("traces").toString(), "--watch", watch.toString()));
        cmd.add("--");
        cmd.addAll(Peers.javaMain(SdkTestServer.class));
        try (McpSyncClient c = FirewallEndToEndTest.client(cmd)) {
            RuntimeException e = assertThrows(RuntimeException.class, c::initialize);
            assertNamesTheSpot(e, watch + ":2:");
        }
    }

    @Test
    void aPolicyTypoReachesTheStreamableHttpClient() throws Exception {
        Path policy = Files.writeString(dir.resolve(".agent-scope.json"), TYPO);
        try (HttpPeers.Everything server = HttpPeers.everything("streamableHttp", dir)) {
            List<String> cmd = Peers.cli("record-http", server.url("/mcp").toString(), "--port", "0", "--trace-dir",
                    dir.resolve("traces").toString(), "--policy", policy.toString());
            Process proxy = new ProcessBuilder(cmd).redirectOutput(dir.resolve("proxy.out").toFile()).start();
            try {
                URI local = listeningUrl(proxy);
                McpSyncClient c = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://" + local.getAuthority())
                        .endpoint(local.getPath()).jsonMapper(new JacksonMcpJsonMapper(new ObjectMapper())).build())
                        .requestTimeout(Duration.ofSeconds(20)).build();
                try {
                    RuntimeException e = assertThrows(RuntimeException.class, c::initialize);
                    assertNamesTheSpot(e, policy + ":3:");
                } finally {
                    c.closeGracefully();
                }
            } finally {
                proxy.destroy();
                proxy.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    /** The message the client shows, down the cause chain (the SDK wraps the JSON-RPC error). */
    private static void assertNamesTheSpot(Throwable e, String fileAndLine) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        String m = all.toString();
        assertTrue(m.contains(fileAndLine), "names file and line: " + m);
        assertTrue(m.contains("fix"), "says how to fix it: " + m);
        assertTrue(m.contains("nothing is forwarded"), "says the server was not reached: " + m);
    }

    private static URI listeningUrl(Process proxy) throws Exception {
        BufferedReader err = new BufferedReader(new InputStreamReader(proxy.getErrorStream(), StandardCharsets.UTF_8));
        Pattern p = Pattern.compile("agent-trace: recording (http://\\S+) -> ");
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = err.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher m = p.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        err.transferTo(java.io.Writer.nullWriter());
                    } catch (java.io.IOException ignored) {
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
