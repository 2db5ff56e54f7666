package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.mcp.ToolSchemas;
import dev.agenttrace.tests.peers.SdkTestServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.json.schema.jackson2.DefaultJsonSchemaValidator;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ReadResourceRequest;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MCP Java SDK client starts {@code agent-trace mcp} as a child process, over a store that
 * holds the Python agent-strace fixtures and a session recorded by {@code agent-trace record} in
 * this test, and calls every tool. Structured results are checked against the output schemas the
 * server declares; mistakes come back as {@code isError} results that say what exists.
 */
@Timeout(180)
class McpServerEndToEndTest {
    static final McpJsonMapper JSON = new JacksonMcpJsonMapper(new ObjectMapper());
    static final ObjectMapper M = new ObjectMapper();
    static final JsonSchemaValidator SCHEMAS = new DefaultJsonSchemaValidator();
    static final Path FIXTURES = Peers.ROOT.resolve("tests/fixtures/agent-strace/.agent-traces");

    @TempDir
    static Path traces;
    static String recorded;

    /** The fixtures, plus one session of a real SDK client and server through the proxy. */
    @BeforeAll
    static void store() throws Exception {
        copyFixtures(FIXTURES, traces);
        // a second id starting 0000, so that a prefix is ambiguous
        Path twin = Files.createDirectories(traces.resolve("0000000000000003"));
        Files.writeString(twin.resolve("meta.json"), "{\"session_id\": \"0000000000000003\", \"started_at\": 1700000200.0,"
                + " \"agent_name\": \"order-test\"}");
        Files.writeString(twin.resolve("events.ndjson"), "{\"event_type\":\"session_start\",\"timestamp\":1700000200.0,"
                + "\"event_id\":\"0123456789ab\",\"session_id\":\"0000000000000003\",\"data\":{\"mode\":\"fixture\"}}\n");
        Path fresh = Files.createDirectories(traces.getParent().resolve(traces.getFileName() + "-recording"));
        List<String> cmd = Peers.proxy(fresh, List.of("--name", "recorded-e2e"), Peers.javaMain(SdkTestServer.class));
        StdioClientTransport transport = new StdioClientTransport(ServerParameters.builder(cmd.get(0))
                .args(cmd.subList(1, cmd.size())).build(), JSON);
        transport.setStdErrorHandler(l -> { });
        try (McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).build()) {
            client.initialize();
            client.callTool(CallToolRequest.builder().name("echo").arguments(Map.of("text", "first")).build());
            client.callTool(CallToolRequest.builder().name("fail").arguments(Map.of()).build());
            client.callTool(CallToolRequest.builder().name("fail").arguments(Map.of()).build());
            client.readResource(new ReadResourceRequest("test://hello"));
        }
        Path session = Peers.onlySession(fresh);
        long proxyPid = Peers.awaitMeta(session, 10_000).at("/attribution/proxy_pid").asLong();
        assertTrue(Peers.gone(proxyPid, 10_000), "the recorder finished its session");
        recorded = session.getFileName().toString();
        Files.move(session, traces.resolve(recorded));
        Files.delete(fresh);
    }

    static void copyFixtures(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                    target.toFile().setWritable(true);
                }
            }
        }
    }

    static McpSyncClient server(List<String> stderr) {
        List<String> cmd = new ArrayList<>(List.of(Peers.JAVA, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", Peers.CLASSPATH,
                "dev.agenttrace.cli.Main", "mcp", "--trace-dir", traces.toString()));
        StdioClientTransport transport = new StdioClientTransport(ServerParameters.builder(cmd.get(0))
                .args(cmd.subList(1, cmd.size())).build(), JSON);
        transport.setStdErrorHandler(stderr::add);
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60)).build();
    }

    /** Calls a tool, checks the structured content against the declared output schema, returns it. */
    static JsonNode ok(McpSyncClient client, String tool, Map<String, Object> args) {
        CallToolResult r = client.callTool(CallToolRequest.builder().name(tool).arguments(args).build());
        assertFalse(Boolean.TRUE.equals(r.isError()), tool + " " + args + " failed: " + text(r));
        assertNotNull(r.structuredContent(), tool + " returns structured content");
        var v = SCHEMAS.validate(ToolSchemas.output(tool), r.structuredContent());
        assertTrue(v.valid(), tool + " output does not match its schema: " + v.errorMessage());
        assertFalse(text(r).isBlank(), tool + " also returns readable text");
        return M.valueToTree(r.structuredContent());
    }

    static String error(McpSyncClient client, String tool, Map<String, Object> args) {
        CallToolResult r = client.callTool(CallToolRequest.builder().name(tool).arguments(args).build());
        assertTrue(Boolean.TRUE.equals(r.isError()), tool + " " + args + " should fail, answered: " + text(r));
        return text(r);
    }

    static String text(CallToolResult r) {
        return r.content().isEmpty() ? "" : ((TextContent) r.content().get(0)).text();
    }

    @Test
    void everyToolAnswersOverFixturesAndARecordedSession() {
        List<String> stderr = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = server(stderr)) {
            assertEquals("agent-trace", client.initialize().serverInfo().name());
            List<Tool> tools = client.listTools().tools();
            assertEquals(List.of("diff_sessions", "get_session", "get_session_summary", "list_sessions", "search_events"),
                    tools.stream().map(Tool::name).sorted().toList());
            for (Tool t : tools) {
                assertNotNull(t.outputSchema(), t.name() + " declares an output schema");
                assertEquals(ToolSchemas.output(t.name()), t.outputSchema());
            }

            JsonNode list = ok(client, "list_sessions", Map.of());
            assertEquals(7, list.get("count").asInt());
            List<String> ids = new ArrayList<>();
            list.get("sessions").forEach(s -> ids.add(s.get("session_id").asText()));
            assertEquals(recorded, ids.get(0), "newest first: the session recorded just now");
            assertTrue(ids.indexOf("0000000000000002") < ids.indexOf("ffff000000000001"), "by started_at, not by id");
            JsonNode rec = list.get("sessions").get(0);
            assertEquals(3, rec.get("tool_calls").asInt());
            assertEquals(2, rec.get("errors").asInt(), "isError results count as errors");
            assertTrue(rec.get("estimated_cost_usd").asDouble() > 0, "cost is estimated from payload size, not 0");
            assertEquals(1, ok(client, "list_sessions", Map.of("agent", "CLAUDE")).get("count").asInt());
            assertEquals(2, ok(client, "list_sessions", Map.of("limit", 2)).get("sessions").size());

            JsonNode session = ok(client, "get_session", Map.of("session_id", "7f3e"));
            assertEquals("7f3e9a10-hooks-s", session.at("/session/session_id").asText());
            assertEquals(14, session.get("event_count").asInt());
            JsonNode calls = ok(client, "get_session", Map.of("session_id", "7f3e", "event_types", List.of("tool_call")));
            assertEquals(5, calls.get("event_count").asInt());
            calls.get("events").forEach(e -> assertEquals("tool_call", e.get("event_type").asText()));
            JsonNode paged = ok(client, "get_session", Map.of("session_id", "7f3e", "limit", 10));
            assertEquals(10, paged.get("event_count").asInt());
            JsonNode rest = ok(client, "get_session", Map.of("session_id", "7f3e", "limit", 10, "cursor", paged.get("next_cursor").asText()));
            assertEquals(4, rest.get("event_count").asInt());
            assertTrue(rest.get("next_cursor").isNull());
            assertEquals("session_end", rest.get("events").get(3).get("event_type").asText());

            // the filters agent-strace had match real data now
            JsonNode env = ok(client, "search_events", Map.of("file_path", ".env"));
            assertEquals(1, env.get("count").asInt(), "a hook Read of .env");
            assertEquals("Read", env.at("/events/0/data/tool_name").asText());
            assertEquals("7f3e9a10-hooks-s", env.at("/events/0/_session_id").asText());
            JsonNode uri = ok(client, "search_events", Map.of("file_path", "test://hello"));
            assertEquals(recorded, uri.at("/events/0/_session_id").asText(), "a proxy resources/read uri");
            assertEquals("file_read", uri.at("/events/0/event_type").asText());
            JsonNode failures = ok(client, "search_events", Map.of("has_error", true, "session_id", recorded));
            assertEquals(2, failures.get("count").asInt(), "isError tool results are failures");
            JsonNode bash = ok(client, "search_events", Map.of("tool_name", "bash"));
            assertEquals(4, bash.get("count").asInt(), "two Bash calls, the error and the result that name the tool");
            JsonNode text = ok(client, "search_events", Map.of("query", "h\u00e9llo"));
            assertTrue(text.get("count").asInt() >= 2, "non-ASCII text stored as \\u escapes is found");
            JsonNode unknown = ok(client, "search_events", Map.of("query", "unknown tool", "event_type", "error"));
            assertEquals(2, unknown.get("count").asInt(), "the proxy session and its torn copy");
            JsonNode page1 = ok(client, "search_events", Map.of("event_type", "tool_call", "limit", 4));
            assertEquals(4, page1.get("count").asInt());
            JsonNode page2 = ok(client, "search_events", Map.of("event_type", "tool_call", "limit", 50, "cursor", page1.get("next_cursor").asText()));
            assertEquals(3 + 5 + 2 + 2 - 4, page2.get("count").asInt(), "the rest, none repeated");
            JsonNode old = ok(client, "search_events", Map.of("until", "2024-01-01T00:00:00Z"));
            assertEquals(5, old.get("count").asInt(), "the 2023 sessions' events");

            JsonNode summary = ok(client, "get_session_summary", Map.of("session_id", "7f3e9a10"));
            assertEquals(1, summary.get("retry_count").asInt(), "Bash again after it failed");
            assertEquals(List.of("/home/dev/proj/src/auth.py"), strings(summary.get("files_written")));
            assertEquals("fix the failing auth test", summary.at("/phases/0/label").asText());
            assertTrue(summary.at("/cost/cost_usd").asDouble() > 0);
            JsonNode recSummary = ok(client, "get_session_summary", Map.of("session_id", recorded.substring(0, 8)));
            assertEquals(2, recSummary.get("error_count").asInt());
            assertEquals(1, recSummary.get("retry_count").asInt(), "fail called twice with the same arguments");

            JsonNode diff = ok(client, "diff_sessions", Map.of("session_a", "31779b", "session_b", "torn"));
            assertTrue(diff.get("divergence").isNull(), "the torn copy made the same calls");
            JsonNode diff2 = ok(client, "diff_sessions", Map.of("session_a", "7f3e", "session_b", recorded));
            assertEquals(0, diff2.at("/divergence/index").asInt());
            assertEquals("b7bc05b67db4", diff2.at("/divergence/event_id_a").asText(), "A's first call, the hook Read");
            assertEquals(2, diff2.at("/tool_call_diff/fail/session_b").asInt());

            // mistakes are isError results that say what exists
            String missing = error(client, "get_session", Map.of("session_id", "nope"));
            assertTrue(missing.contains("no session 'nope'") && missing.contains(recorded), missing);
            String ambiguous = error(client, "get_session_summary", Map.of("session_id", "0000"));
            assertTrue(ambiguous.contains("matches 2 sessions") && ambiguous.contains("0000000000000002"), ambiguous);
            assertTrue(error(client, "diff_sessions", Map.of("session_a", "7f3e", "session_b", "zzz")).contains("no session 'zzz'"));
            assertTrue(error(client, "search_events", Map.of("cursor", "garbage")).contains("not a cursor"));
            assertTrue(error(client, "search_events", Map.of("since", "yesterday")).contains("ISO-8601"));
            assertTrue(error(client, "get_session", new HashMap<>()).contains("session_id"));
        }
        assertFalse(stderr.stream().anyMatch(l -> l.contains("Exception")), String.join("\n", stderr));
        assertTrue(Files.exists(traces.resolve(".agent-trace-index.ndjson")), "the index is kept beside the sessions");
    }

    static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void aSessionRecordedWhileTheServerRunsIsSeenAtOnce() throws Exception {
        List<String> stderr = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = server(stderr)) {
            client.initialize();
            int before = ok(client, "list_sessions", Map.of("limit", 100)).get("count").asInt();
            Path extra = traces.resolve("live000000000001");
            Files.createDirectories(extra);
            Files.writeString(extra.resolve("meta.json"), "{\"session_id\":\"live000000000001\",\"started_at\":1900000000.0}");
            Files.writeString(extra.resolve("events.ndjson"), "{\"event_type\":\"tool_call\",\"timestamp\":1900000000.5,"
                    + "\"event_id\":\"aaaaaaaaaaaa\",\"session_id\":\"live000000000001\",\"data\":{\"tool_name\":\"write_file\","
                    + "\"arguments\":{\"path\":\"/srv/app/config.yaml\"}}}\n");
            JsonNode after = ok(client, "list_sessions", Map.of("limit", 100));
            assertEquals(before + 1, after.get("count").asInt());
            assertEquals("live000000000001", after.at("/sessions/0/session_id").asText());
            assertEquals(1, ok(client, "search_events", Map.of("file_path", "config.yaml")).get("count").asInt());
            Files.writeString(extra.resolve("events.ndjson"), "{\"event_type\":\"error\",\"timestamp\":1900000001.0,"
                    + "\"event_id\":\"bbbbbbbbbbbb\",\"session_id\":\"live000000000001\",\"data\":{\"tool_name\":\"Bash\","
                    + "\"error\":\"Exit code 2\\nno such file\"}}\n", java.nio.file.StandardOpenOption.APPEND);
            JsonNode exit = ok(client, "search_events", Map.of("exit_code", 2));
            assertEquals(1, exit.get("count").asInt(), "the appended line is indexed");
            assertEquals("bbbbbbbbbbbb", exit.at("/events/0/event_id").asText());
            Files.delete(extra.resolve("events.ndjson"));
            Files.delete(extra.resolve("meta.json"));
            Files.delete(extra);
            assertEquals(before, ok(client, "list_sessions", Map.of("limit", 100)).get("count").asInt());
        }
    }
}
