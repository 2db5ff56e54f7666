package dev.agenttrace.tests;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.agenttrace.tests.peers.SdkTestServer;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A collector that is down, answers 503 or hangs costs dropped telemetry, counted and said once on
 * stderr; the session is forwarded and recorded whole.
 */
@Timeout(180)
class OtlpCollectorFaultsTest {
    private static final Pattern DROPPED = Pattern.compile("OpenTelemetry export dropped (\\d+) item");

    @Test
    void aCollectorAnswering503CostsOnlyCountedDrops(@TempDir Path dir) throws Exception {
        WireMockServer wm = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        wm.start();
        try {
            wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(503).withBody("overloaded")));
            sessionThrough(dir, "http://127.0.0.1:" + wm.port());
            assertTrue(wm.getAllServeEvents().size() > 0, "the exporter did try the collector");
        } finally {
            wm.stop();
        }
    }

    @Test
    void aCollectorThatHangsCostsOnlyCountedDrops(@TempDir Path dir) throws Exception {
        WireMockServer wm = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        wm.start();
        try {
            ResponseDefinitionBuilder slow = aResponse().withStatus(200).withFixedDelay(60_000);
            wm.stubFor(any(anyUrl()).willReturn(slow));
            sessionThrough(dir, "http://127.0.0.1:" + wm.port());
        } finally {
            wm.stop();
        }
    }

    @Test
    void aCollectorThatIsDownCostsOnlyCountedDrops(@TempDir Path dir) throws Exception {
        sessionThrough(dir, "http://127.0.0.1:" + HttpPeers.freePort());
    }

    /** A raw client: newline JSON on the proxy's stdin, the answers read from its stdout, stderr to a file. */
    private static void sessionThrough(Path dir, String endpoint) throws Exception {
        Path traces = dir.resolve("traces");
        Path errFile = dir.resolve("stderr.txt");
        List<String> cmd = Peers.proxy(traces, List.of("--otlp-endpoint", endpoint), Peers.javaMain(SdkTestServer.class));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(errFile.toFile());
        pb.environment().put("OTEL_EXPORTER_OTLP_TIMEOUT", "1000");
        Process p = pb.start();
        int calls = 50;
        StringBuilder in = new StringBuilder();
        in.append("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",")
                .append("\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}\n");
        in.append("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n");
        try (var out = p.getOutputStream(); var answers = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            out.write(in.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.flush();
            assertTrue(answers.readLine().contains("\"id\":0"));
            for (int i = 1; i <= calls; i++) {
                out.write(("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                        + "\"arguments\":{\"text\":\"call " + i + "\"}}}\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                out.flush();
                String answer = answers.readLine();
                assertTrue(answer != null && answer.contains("\"id\":" + i) && answer.contains("call " + i), answer);
            }
        }
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "the proxy exits though the collector does not take anything");
        Path session = Peers.onlySession(traces);
        assertEquals(calls, Peers.ofType(Peers.events(session), "tool_result").size(), "the trace on disk is whole");
        List<String> stderr = java.nio.file.Files.readAllLines(errFile);
        long said = stderr.stream().filter(l -> l.contains("is dropping telemetry")).count();
        assertEquals(1, said, "said once: " + String.join("\n", stderr));
        long dropped = stderr.stream().map(DROPPED::matcher).filter(Matcher::find).mapToLong(m -> Long.parseLong(m.group(1)))
                .findFirst().orElseThrow(() -> new AssertionError("no count of drops: " + String.join("\n", stderr)));
        assertTrue(dropped >= calls, "every span the collector did not take is counted: " + dropped);
    }
}
