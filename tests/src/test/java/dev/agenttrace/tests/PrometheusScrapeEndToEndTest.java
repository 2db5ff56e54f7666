package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.tests.peers.SdkTestServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (the Debian package, installed by .ci/run) scrapes record-http's
 * {@code /metrics} while a session runs through it, and {@code serve}'s {@code /metrics} after
 * Claude Code hooks and a stdio {@code record} session; the series are read back through
 * Prometheus's HTTP query API, as a dashboard or an alert rule would read them.
 */
@Timeout(180)
class PrometheusScrapeEndToEndTest {
    private static final Pattern METRICS = Pattern.compile("metrics at http://127\\.0\\.0\\.1:(\\d+)/metrics");
    private static final Pattern LISTENING = Pattern.compile("recording http://127\\.0\\.0\\.1:(\\d+)/");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static Path prometheusBinary() {
        for (String p : List.of("/usr/bin/prometheus", "/usr/local/bin/prometheus")) {
            if (Files.isExecutable(Path.of(p))) {
                return Path.of(p);
            }
        }
        return null;
    }

    @Test
    void prometheusScrapesRecordHttpAndTheSeriesReadBack(@TempDir Path tmp) throws Exception {
        Path prometheus = prometheusBinary();
        assumeTrue(prometheus != null, "prometheus is not installed (.ci/run installs the Debian package)");
        try (HttpPeers.Everything upstream = HttpPeers.everything("streamableHttp", tmp)) {
            List<String> cmd = new ArrayList<>(List.of(Peers.JAVA, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", Peers.CLASSPATH,
                    "dev.agenttrace.cli.Main", "record-http", upstream.url("/mcp").toString(), "--port", "0", "--metrics-port", "0",
                    "--trace-dir", tmp.resolve("traces").toString()));
            Process proxy = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            Process prom = null;
            try {
                int[] ports = ports(proxy);
                int metricsPort = ports[0];
                HttpResponse<String> direct = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, direct.statusCode());
                assertTrue(direct.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"));
                assertTrue(direct.body().trim().endsWith("# EOF"), "OpenMetrics text ends with # EOF");

                int promPort = HttpPeers.freePort();
                Path config = tmp.resolve("prometheus.yml");
                Files.writeString(config, "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: agent-trace\n"
                        + "    static_configs:\n      - targets: ['127.0.0.1:" + metricsPort + "']\n");
                prom = new ProcessBuilder(prometheus.toString(), "--config.file=" + config, "--storage.tsdb.path=" + tmp.resolve("tsdb"),
                        "--web.listen-address=127.0.0.1:" + promPort)
                        .redirectErrorStream(true).redirectOutput(tmp.resolve("prometheus.log").toFile()).start();
                HttpPeers.awaitListening(promPort, prom, 30_000);

                var transport = HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + ports[1]).endpoint("/mcp")
                        .jsonMapper(OtlpExportEndToEndTest.JSON).connectTimeout(Duration.ofSeconds(5)).build();
                try (McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).build()) {
                    client.initialize();
                    for (int i = 0; i < 3; i++) {
                        client.callTool(CallToolRequest.builder().name("echo").arguments(Map.of("message", "m" + i)).build());
                    }
                }
                // the writer hands the events on after a few ms of quiet; Prometheus scrapes every second
                double calls = awaitValue(promPort, "sum(agent_trace_tool_calls_total{gen_ai_tool_name=\"echo\"})", 3);
                assertEquals(3, calls, 0.0);
                double durations = awaitValue(promPort,
                        "sum(mcp_client_operation_duration_seconds_count{mcp_method_name=\"tools/call\",network_transport=\"tcp\"})", 3);
                assertEquals(3, durations, 0.0);
                JsonNode buckets = query(promPort, "mcp_client_operation_duration_seconds_bucket{mcp_method_name=\"tools/call\",le=\"300.0\"}");
                assertTrue(buckets.path("data").path("result").size() > 0, "the conventions' buckets are there: " + buckets);
            } finally {
                if (prom != null) {
                    prom.destroy();
                    prom.waitFor(10, TimeUnit.SECONDS);
                }
                proxy.destroy();
                proxy.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    /** Prometheus scraping {@code target} every second, until the returned process is destroyed. */
    private static Process prometheus(Path binary, Path tmp, int promPort, String target, String metricsPath) throws Exception {
        Path config = tmp.resolve("prometheus.yml");
        Files.writeString(config, "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: agent-trace\n"
                + "    metrics_path: " + metricsPath + "\n"
                + "    static_configs:\n      - targets: ['" + target + "']\n");
        Process prom = new ProcessBuilder(binary.toString(), "--config.file=" + config, "--storage.tsdb.path=" + tmp.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + promPort)
                .redirectErrorStream(true).redirectOutput(tmp.resolve("prometheus.log").toFile()).start();
        HttpPeers.awaitListening(promPort, prom, 30_000);
        return prom;
    }

    @Test
    void prometheusScrapesServeAfterHooksAndARecordSessionAndTheSeriesReadBack(@TempDir Path tmp) throws Exception {
        Path prometheus = prometheusBinary();
        assumeTrue(prometheus != null, "prometheus is not installed (.ci/run installs the Debian package)");
        Path project = Files.createDirectories(tmp.resolve("project"));
        Files.writeString(project.resolve(".agent-scope.json"), "{\"commands\": {\"deny\": [\"curl\"]}}\n");
        Files.writeString(project.resolve(".agent-watch.json"), "{\"watchers\": {\"retry\": {\"max\": 2, \"alert\": \"kill\"}}}\n");
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path traces = tmp.resolve("traces");
        List<String> cmd = new ArrayList<>(Peers.cli("serve", "--port", "0", "--trace-dir", traces.toString()));
        cmd.add(1, "-Duser.home=" + home);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("HOME", home.toString());
        pb.environment().keySet().removeIf(k -> k.startsWith("OTEL_"));
        Process serve = pb.start();
        Process prom = null;
        try {
            int port = servePort(serve, true);
            String base = "http://127.0.0.1:" + port;
            int promPort = HttpPeers.freePort();
            prom = prometheus(prometheus, tmp, promPort, "127.0.0.1:" + port, "/metrics");

            // a Claude Code session: a denied curl, a Read that ran, a command that keeps failing until the retry breaker trips
            String sid = "cc-metrics-1";
            hook(base, hookPayload(sid, project, "SessionStart").put("source", "startup"));
            JsonNode denied = hook(base, tool(sid, project, "PreToolUse", "Bash", "toolu_0", "curl -s https://example.com"));
            assertEquals("deny", denied.path("hookSpecificOutput").path("permissionDecision").asText(), denied.toString());
            ObjectNode read = hookPayload(sid, project, "PreToolUse").put("tool_name", "Read").put("tool_use_id", "toolu_1");
            read.putObject("tool_input").put("file_path", project.resolve(".agent-scope.json").toString());
            hook(base, read);
            read.put("hook_event_name", "PostToolUse").putObject("tool_response").put("content", "{}");
            hook(base, read);
            JsonNode last = null;
            for (int i = 2; i < 8; i++) {
                last = hook(base, tool(sid, project, "PreToolUse", "Bash", "toolu_" + i, "ls /agent-trace-no-such-directory"));
                if (last.has("continue")) {
                    break;
                }
                hook(base, tool(sid, project, "PostToolUseFailure", "Bash", "toolu_" + i, "ls /agent-trace-no-such-directory")
                        .put("error", "Exit code 2\nls: cannot access '/agent-trace-no-such-directory': No such file or directory"));
            }
            assertTrue(last != null && !last.path("continue").asBoolean(true), "the retry breaker stopped the session: " + last);

            // while the session runs: its breaker is open
            assertEquals(1, awaitValue(promPort, "agent_trace_breaker_open", 1), 0.0);
            assertEquals(1, awaitValue(promPort, "agent_trace_sessions_active", 1), 0.0);
            assertEquals(1, awaitValue(promPort, "sum(agent_trace_firewall_decisions_total{gen_ai_tool_name=\"Bash\",gen_ai_guardrail_action_type=\"block\"})", 1), 0.0);
            assertEquals(1, awaitValue(promPort, "sum(agent_trace_breaker_trips_total{agent_trace_watch_watcher=\"retry\"})", 1), 0.0);
            assertEquals(1, awaitValue(promPort, "sum(agent_trace_tool_calls_total{gen_ai_tool_name=\"Read\"})", 1), 0.0);
            // the denied curl and three failed runs (the call the breaker refused has no answer yet)
            assertEquals(4, awaitValue(promPort, "sum(agent_trace_tool_calls_total{gen_ai_tool_name=\"Bash\"})", 4), 0.0);
            assertEquals(3, awaitValue(promPort, "sum(agent_trace_tool_errors_total{gen_ai_tool_name=\"Bash\",agent_trace_error_kind=\"NOT_FOUND\"})", 3), 0.0);

            hook(base, hookPayload(sid, project, "SessionEnd").put("reason", "exit"));
            assertEquals(1, awaitValue(promPort, "sum(mcp_client_session_duration_seconds_count{gen_ai_agent_name=\"claude-code\"})", 1), 0.0);
            assertEquals(0, awaitValue(promPort, "agent_trace_breaker_open == 0", 0), 0.0);
            // the refused call is counted when the session ends, as unanswered
            assertEquals(5, awaitValue(promPort, "sum(agent_trace_tool_calls_total{gen_ai_tool_name=\"Bash\"})", 5), 0.0);

            // a short-lived stdio record session into a store serve knows: counted when it ends
            List<String> stderr = new CopyOnWriteArrayList<>();
            List<String> record = Peers.proxy(traces, List.of("--name", "stdio-metrics"), Peers.javaMain(SdkTestServer.class));
            try (var client = OtlpExportEndToEndTest.stdioClient(record, Map.of(), stderr)) {
                client.initialize();
                for (int i = 0; i < 2; i++) {
                    client.callTool(CallToolRequest.builder().name("echo").arguments(Map.of("text", "hi " + i)).build());
                }
                assertTrue(client.callTool(CallToolRequest.builder().name("fail").arguments(Map.of()).build()).isError());
            }
            assertEquals(2, awaitValue(promPort, "sum(agent_trace_tool_calls_total{gen_ai_tool_name=\"echo\"})", 2), 0.0, stderr.toString());
            assertEquals(2, awaitValue(promPort,
                    "sum(mcp_client_operation_duration_seconds_count{mcp_method_name=\"tools/call\",gen_ai_tool_name=\"echo\",network_transport=\"pipe\"})", 2), 0.0);
            assertEquals(1, awaitValue(promPort, "sum(agent_trace_tool_errors_total{gen_ai_tool_name=\"fail\",error_type=\"tool_error\"})", 1), 0.0);
            assertEquals(1, awaitValue(promPort, "sum(mcp_client_session_duration_seconds_count{gen_ai_agent_name=\"stdio-metrics\"})", 1), 0.0);
            assertEquals(0, awaitValue(promPort, "sum(agent_trace_telemetry_dropped_total) == 0", 0), 0.0);

            // the same Host and Origin rules as serve's other endpoints
            assertEquals(421, statusWithHost(port, "attacker.example:" + port), "a DNS-rebinding Host gets no metrics");
            assertEquals(200, statusWithHost(port, "localhost:" + port), "a scraper that names localhost is served");
            HttpResponse<String> foreign = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).header("Origin", "https://evil.example").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, foreign.statusCode(), "a foreign Origin gets no metrics");
            HttpResponse<String> direct = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(direct.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"));
            assertTrue(direct.body().trim().endsWith("# EOF"), "OpenMetrics text ends with # EOF");
        } finally {
            if (prom != null) {
                prom.destroy();
                prom.waitFor(10, TimeUnit.SECONDS);
            }
            serve.destroy();
            serve.waitFor(20, TimeUnit.SECONDS);
        }
    }

    /** The status of {@code GET /metrics} sent with this Host (the JDK client will not set one itself). */
    private static int statusWithHost(int port, String host) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /metrics HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    static ObjectNode hookPayload(String session, Path cwd, String event) {
        return Peers.JSON.createObjectNode().put("session_id", session).put("cwd", cwd.toString())
                .put("transcript_path", cwd.resolve("transcript.jsonl").toString()).put("hook_event_name", event);
    }

    static ObjectNode tool(String session, Path cwd, String event, String tool, String id, String command) {
        ObjectNode n = hookPayload(session, cwd, event).put("tool_name", tool).put("tool_use_id", id);
        n.putObject("tool_input").put("command", command);
        return n;
    }

    static JsonNode hook(String base, ObjectNode payload) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/hooks/claude-code")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(payload.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return Peers.JSON.readTree(r.body());
    }

    /** serve's port, from its stderr (which says where /metrics is, when {@code metrics}); the rest of it is echoed. */
    static int servePort(Process serve, boolean metrics) throws Exception {
        BufferedReader err = new BufferedReader(new InputStreamReader(serve.getErrorStream(), StandardCharsets.UTF_8));
        Pattern listening = Pattern.compile("serving hooks at http://127\\.0\\.0\\.1:(\\d+)/"
                + (metrics ? ".*metrics at http://127\\.0\\.0\\.1:\\d+/metrics" : "(?!.*metrics at)"));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = err.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher m = listening.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> err.lines().forEach(s -> System.err.println("[serve] " + s)));
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("serve did not start with /metrics:\n" + seen);
    }

    /** {metrics port, proxy port}, from record-http's stderr; the rest of it is echoed. */
    private static int[] ports(Process proxy) throws Exception {
        BufferedReader err = new BufferedReader(new InputStreamReader(proxy.getErrorStream(), StandardCharsets.UTF_8));
        int metrics = -1;
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = err.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher m = METRICS.matcher(line);
            if (m.find()) {
                metrics = Integer.parseInt(m.group(1));
            }
            Matcher l = LISTENING.matcher(line);
            if (l.find() && metrics > 0) {
                Thread drain = new Thread(() -> err.lines().forEach(s -> System.err.println("[record-http] " + s)));
                drain.setDaemon(true);
                drain.start();
                return new int[] {metrics, Integer.parseInt(l.group(1))};
            }
        }
        throw new AssertionError("record-http did not start with /metrics:\n" + seen);
    }

    private static JsonNode query(int port, String promql) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        return Peers.JSON.readTree(r.body());
    }

    private static double awaitValue(int port, String promql, double atLeast) throws Exception {
        long end = System.currentTimeMillis() + 60_000;
        JsonNode last = null;
        while (System.currentTimeMillis() < end) {
            last = query(port, promql);
            JsonNode result = last.path("data").path("result");
            if (result.size() > 0) {
                double v = Double.parseDouble(result.get(0).path("value").get(1).asText());
                if (v >= atLeast) {
                    return v;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Prometheus never had " + promql + " >= " + atLeast + "; last answer " + last);
    }
}
