package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (the Debian package, installed by .ci/run) scrapes record-http's
 * {@code /metrics} while a session runs through it; the series are read back through Prometheus's
 * HTTP query API, as a dashboard or an alert rule would read them.
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
