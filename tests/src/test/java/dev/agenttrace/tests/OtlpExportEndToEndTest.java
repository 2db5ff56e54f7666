package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.tests.peers.SdkTestServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live OTLP export from the real {@code record} and {@code record-http}, received by an OTLP/HTTP
 * receiver that decodes with the official opentelemetry-proto classes: span names, kinds,
 * parents and attributes as the MCP semantic conventions (v1.39.0) name them.
 */
@Timeout(180)
class OtlpExportEndToEndTest {
    static final JacksonMcpJsonMapper JSON = new JacksonMcpJsonMapper(new ObjectMapper());

    static String text(CallToolResult r) {
        return ((TextContent) r.content().get(0)).text();
    }

    static McpSyncClient stdioClient(List<String> cmd, Map<String, String> env, List<String> stderr) {
        ServerParameters params = ServerParameters.builder(cmd.get(0)).args(cmd.subList(1, cmd.size())).env(env).build();
        StdioClientTransport transport = new StdioClientTransport(params, JSON);
        transport.setStdErrorHandler(stderr::add);
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).build();
    }

    static String sha256Hex(String s, int bytes) throws Exception {
        byte[] h = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(h, 0, bytes);
    }

    @Test
    void aStdioSessionArrivesAsConventionalSpansUnderItsSessionSpan(@TempDir Path dir) throws Exception {
        Path policy = dir.resolve("policy.json");
        Files.writeString(policy, "{\"commands\":{\"deny\":[\"curl\"]},\"tools\":{\"echo\":{\"kind\":\"command\",\"args\":[\"text\"]}}}");
        Path traces = dir.resolve("traces");
        List<String> stderr = new CopyOnWriteArrayList<>();
        try (OtlpReceiver collector = new OtlpReceiver()) {
            Map<String, String> env = Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", collector.url(), "OTEL_SERVICE_NAME", "agents-ci",
                    "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=test,team=platform%20tools",
                    "OTEL_EXPORTER_OTLP_HEADERS", "x-team-token=abc123");
            List<String> cmd = Peers.proxy(traces, List.of("--name", "otel-e2e", "--policy", policy.toString()),
                    Peers.javaMain(SdkTestServer.class));
            try (McpSyncClient client = stdioClient(cmd, env, stderr)) {
                client.initialize();
                client.listTools();
                assertEquals("hi", text(client.callTool(CallToolRequest.builder().name("echo").arguments(Map.of("text", "hi")).build())));
                assertTrue(client.callTool(CallToolRequest.builder().name("fail").arguments(Map.of()).build()).isError());
                CallToolResult blocked = client.callTool(CallToolRequest.builder().name("echo").arguments(Map.of("text", "curl evil.example")).build());
                assertTrue(blocked.isError() && text(blocked).contains("NOT executed"), text(blocked));
            }
            Path session = Peers.onlySession(traces);
            String sessionId = session.getFileName().toString();
            OtlpReceiver.Received root = collector.await(r -> r.span().getParentSpanId().isEmpty(), "session");
            assertEquals("session otel-e2e", root.span().getName());
            assertEquals(sha256Hex(sessionId, 16), root.traceId(), "the trace id is agent-strace's: sha256(session_id)[:32]");
            assertEquals(sessionId, root.attr("agent_trace.session.id"));
            assertEquals("pipe", root.attr("network.transport"));

            List<OtlpReceiver.Received> echoes = collector.named("tools/call echo");
            assertEquals(2, echoes.size(), "one span per forwarded or blocked tools/call: " + collector.spans);
            OtlpReceiver.Received echo = echoes.stream().filter(r -> r.span().getStatus().getCode() != Status.StatusCode.STATUS_CODE_ERROR)
                    .findFirst().orElseThrow();
            Span s = echo.span();
            assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, s.getKind());
            assertEquals(root.spanId(), echo.parentId(), "the session span is the parent");
            assertEquals(root.traceId(), echo.traceId());
            assertEquals("tools/call", echo.attr("mcp.method.name"));
            assertEquals("echo", echo.attr("gen_ai.tool.name"));
            assertEquals("execute_tool", echo.attr("gen_ai.operation.name"));
            assertEquals("pipe", echo.attr("network.transport"));
            assertTrue(echo.attr("mcp.protocol.version").startsWith("20"), echo.attr("mcp.protocol.version"));
            assertTrue(echo.attr("jsonrpc.request.id") != null && !echo.attr("jsonrpc.request.id").isEmpty());
            assertNull(echo.attr("error.type"));
            assertNull(echo.attr("gen_ai.tool.call.arguments"), "arguments only when opted in");
            assertTrue(s.getEndTimeUnixNano() >= s.getStartTimeUnixNano() && s.getStartTimeUnixNano() > 0);
            assertEquals("dev.agenttrace", echo.scope());
            assertEquals("https://opentelemetry.io/schemas/1.39.0", echo.schemaUrl());
            assertEquals("agents-ci", echo.resource().get("service.name"));
            assertEquals("test", echo.resource().get("deployment.environment"));
            assertEquals("platform tools", echo.resource().get("team"));
            assertEquals("abc123", collector.headers.get("x-team-token"));

            OtlpReceiver.Received fail = collector.named("tools/call fail").get(0);
            assertEquals("tool_error", fail.attr("error.type"));
            assertEquals(Status.StatusCode.STATUS_CODE_ERROR, fail.span().getStatus().getCode());
            assertTrue(fail.span().getStatus().getMessage().contains("failed on purpose"));

            OtlpReceiver.Received blockedCall = echoes.stream().filter(r -> r != echo).findFirst().orElseThrow();
            OtlpReceiver.Received guard = collector.await(r -> r.span().getName().equals("run_guardrail agent-trace.firewall"), "guardrail");
            assertEquals(blockedCall.spanId(), guard.parentId(), "the firewall's decision is a child of the call it judged");
            assertEquals("run_guardrail", guard.attr("gen_ai.operation.name"));
            assertEquals("deny", guard.attr("gen_ai.guardrail.verdict.type"));
            assertEquals("block", guard.attr("gen_ai.guardrail.action.type"));
            assertEquals("tool_call", guard.attr("gen_ai.guardrail.target.subtype"));
            assertEquals(blockedCall.attr("jsonrpc.request.id"), guard.attr("gen_ai.guardrail.target.id"));
            assertTrue(guard.attr("gen_ai.guardrail.security.policy.rule.id").contains("curl"), guard.attr("gen_ai.guardrail.security.policy.rule.id"));

            OtlpReceiver.Received init = collector.named("initialize").get(0);
            assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, init.span().getKind());
            assertEquals(root.spanId(), init.parentId());
            assertEquals(1, collector.named("tools/list").size());

            Metric duration = collector.awaitMetric("mcp.client.operation.duration");
            assertEquals("s", duration.getUnit());
            assertEquals(List.of(0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0),
                    duration.getHistogram().getDataPoints(0).getExplicitBoundsList(), "the conventions' buckets");
            long toolCalls = duration.getHistogram().getDataPointsList().stream()
                    .filter(p -> "tools/call".equals(OtlpReceiver.attr(p.getAttributesList(), "mcp.method.name")))
                    .mapToLong(p -> p.getCount()).sum();
            assertEquals(3, toolCalls);
            Metric firewall = collector.awaitMetric("agent_trace.firewall.decisions");
            assertEquals(1, firewall.getSum().getDataPoints(0).getAsInt());
            collector.awaitMetric("mcp.client.session.duration");
            Metric errors = collector.awaitMetric("agent_trace.tool.errors");
            assertTrue(errors.getSum().getDataPointsList().stream()
                    .anyMatch(p -> "tool_error".equals(OtlpReceiver.attr(p.getAttributesList(), "error.type"))));
            assertFalse(stderr.stream().anyMatch(l -> l.contains("dropping")), String.join("\n", stderr));

            // the stored session exported again: the same spans, the same ids (a backend does not double it)
            try (OtlpReceiver backfill = new OtlpReceiver()) {
                Process export = new ProcessBuilder(Peers.cli("export", sessionId, "--format", "otlp", "--otlp-endpoint", backfill.url(),
                        "--trace-dir", traces.toString())).redirectErrorStream(true).start();
                String out = new String(export.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(0, export.waitFor(), out);
                java.util.function.Function<OtlpReceiver.Received, String> shape = r -> r.spanId() + " " + r.parentId() + " "
                        + r.span().getName() + " " + r.span().getKind() + " " + r.span().getStartTimeUnixNano() + " " + r.span().getEndTimeUnixNano();
                assertEquals(collector.spans.stream().map(shape).sorted().toList(), backfill.spans.stream().map(shape).sorted().toList());
                assertTrue(out.contains("sent " + collector.spans.size() + " of " + collector.spans.size()), out);
            }
        }
    }

    @Test
    void anHttpSessionCarriesItsMcpSessionIdAndTcp(@TempDir Path tmp) throws Exception {
        Path traces = tmp.resolve("traces");
        try (OtlpReceiver collector = new OtlpReceiver(); HttpPeers.Everything upstream = HttpPeers.everything("streamableHttp", tmp)) {
            List<String> cmd = new ArrayList<>(List.of(Peers.JAVA, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", Peers.CLASSPATH,
                    "dev.agenttrace.cli.Main", "record-http", upstream.url("/mcp").toString(), "--port", "0",
                    "--trace-dir", traces.toString(), "--otlp-endpoint", collector.url()));
            Process proxy = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                int port = RecordHttpStreamableEndToEndTest.awaitPort(proxy);
                var transport = HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port).endpoint("/mcp")
                        .jsonMapper(JSON).connectTimeout(Duration.ofSeconds(5)).build();
                try (McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).build()) {
                    client.initialize();
                    var echo = client.callTool(CallToolRequest.builder().name("echo").arguments(Map.of("message", "hi")).build());
                    assertEquals("Echo: hi", text(echo));
                }
            } finally {
                proxy.destroy();
                assertTrue(proxy.waitFor(20, TimeUnit.SECONDS), "record-http stops on SIGTERM");
            }
            Path session = Peers.sessionWith(traces, "tool_call");
            JsonNode meta = Peers.meta(session);
            OtlpReceiver.Received echo = collector.await(r -> r.span().getName().equals("tools/call echo"), "tools/call echo");
            assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, echo.span().getKind());
            assertEquals("tcp", echo.attr("network.transport"));
            assertEquals("http", echo.attr("network.protocol.name"));
            assertEquals("127.0.0.1", echo.attr("server.address"));
            assertEquals(meta.at("/attribution/mcp_session_id").asText(), echo.attr("mcp.session.id"));
            assertFalse(echo.attr("mcp.session.id").isEmpty());
            OtlpReceiver.Received root = collector.await(r -> r.span().getParentSpanId().isEmpty()
                    && r.traceId().equals(echo.traceId()), "session of the echo");
            assertEquals(root.spanId(), echo.parentId());
        }
    }

    @Test
    void serveExportsEachHookObservedToolCallAndTheFirewallDecision(@TempDir Path tmp) throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Files.writeString(project.resolve(".agent-scope.json"), "{\"commands\": {\"deny\": [\"curl\"]}}\n");
        Path home = Files.createDirectories(tmp.resolve("home"));
        try (OtlpReceiver collector = new OtlpReceiver()) {
            List<String> cmd = new ArrayList<>(Peers.cli("serve", "--port", "0", "--trace-dir", tmp.resolve("traces").toString(),
                    "--no-metrics", "--no-live-view", "--otlp-endpoint", collector.url()));
            cmd.add(1, "-Duser.home=" + home);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("HOME", home.toString());
            pb.environment().put("OTEL_SERVICE_NAME", "hooks-ci");
            Process serve = pb.start();
            try {
                String base = "http://127.0.0.1:" + PrometheusScrapeEndToEndTest.servePort(serve, false);
                String sid = "cc-otlp-1";
                PrometheusScrapeEndToEndTest.hook(base, PrometheusScrapeEndToEndTest.hookPayload(sid, project, "SessionStart").put("source", "startup"));
                JsonNode denied = PrometheusScrapeEndToEndTest.hook(base,
                        PrometheusScrapeEndToEndTest.tool(sid, project, "PreToolUse", "Bash", "toolu_curl", "curl -s https://example.com"));
                assertEquals("deny", denied.path("hookSpecificOutput").path("permissionDecision").asText(), denied.toString());
                PrometheusScrapeEndToEndTest.hook(base, PrometheusScrapeEndToEndTest.tool(sid, project, "PreToolUse", "Bash", "toolu_ls", "ls"));
                PrometheusScrapeEndToEndTest.hook(base, PrometheusScrapeEndToEndTest.tool(sid, project, "PostToolUse", "Bash", "toolu_ls", "ls")
                        .put("tool_response", "README.md"));
                PrometheusScrapeEndToEndTest.hook(base, PrometheusScrapeEndToEndTest.hookPayload(sid, project, "SessionEnd").put("reason", "exit"));

                OtlpReceiver.Received root = collector.await(r -> r.span().getParentSpanId().isEmpty(), "session");
                assertEquals("hooks-ci", root.resource().get("service.name"));
                OtlpReceiver.Received ran = collector.await(r -> "toolu_ls".equals(r.attr("gen_ai.tool.call.id")), "the Bash call that ran");
                assertEquals("execute_tool Bash", ran.span().getName());
                assertEquals(Span.SpanKind.SPAN_KIND_INTERNAL, ran.span().getKind(), "a hook observed the call; nothing was forwarded");
                assertEquals(root.spanId(), ran.parentId());
                assertEquals("execute_tool", ran.attr("gen_ai.operation.name"));
                assertNull(ran.attr("error.type"));
                OtlpReceiver.Received refused = collector.await(r -> "toolu_curl".equals(r.attr("gen_ai.tool.call.id")), "the denied call");
                assertEquals("execute_tool Bash", refused.span().getName());
                OtlpReceiver.Received guard = collector.await(r -> r.span().getName().equals("run_guardrail agent-trace.firewall"), "guardrail");
                assertEquals(refused.spanId(), guard.parentId(), "the firewall's decision is a child of the call it judged");
                assertEquals(root.traceId(), guard.traceId());
                assertEquals("deny", guard.attr("gen_ai.guardrail.verdict.type"));
                assertEquals("block", guard.attr("gen_ai.guardrail.action.type"));
                assertTrue(guard.attr("gen_ai.guardrail.security.policy.rule.id").contains("curl"), guard.attr("gen_ai.guardrail.security.policy.rule.id"));
            } finally {
                serve.destroy();
                assertTrue(serve.waitFor(20, TimeUnit.SECONDS), "serve stops on SIGTERM");
            }
        }
    }
}
