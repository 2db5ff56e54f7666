package dev.agenttrace.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.store.StoreLocation;
import dev.agenttrace.store.StoreSet;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.json.schema.jackson2.DefaultJsonSchemaValidator;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The five tools over several stores: each session with its store, ids resolved across stores, a bad store reported. */
class SeveralStoresToolsTest {
    static final JsonSchemaValidator SCHEMAS = new DefaultJsonSchemaValidator();
    static final ObjectMapper M = new ObjectMapper();

    @TempDir
    Path tmp;
    Path a;
    Path b;
    Path file;
    List<SyncToolSpecification> specs;

    static void session(Path store, String id, double t, String agent, String tool, boolean fails) throws IOException {
        Path d = Files.createDirectories(store.resolve(id));
        Files.writeString(d.resolve("meta.json"), "{\"session_id\": \"" + id + "\", \"started_at\": " + t + ", \"ended_at\": "
                + (t + 2) + ", \"agent_name\": \"" + agent + "\", \"tool_calls\": 1}");
        Files.writeString(d.resolve("events.ndjson"), String.join("\n",
                "{\"event_type\":\"session_start\",\"timestamp\":" + t + ",\"event_id\":\"000000000001\",\"session_id\":\"" + id
                        + "\",\"data\":{}}",
                "{\"event_type\":\"tool_call\",\"timestamp\":" + (t + 0.5) + ",\"event_id\":\"000000000002\",\"session_id\":\"" + id
                        + "\",\"data\":{\"tool_name\":\"" + tool + "\",\"arguments\":{},\"request_id\":1}}",
                "{\"event_type\":\"tool_result\",\"timestamp\":" + (t + 1) + ",\"event_id\":\"000000000003\",\"session_id\":\"" + id
                        + "\",\"duration_ms\":500,\"data\":{\"tool_name\":\"" + tool + "\",\"is_error\":" + fails
                        + ",\"content_preview\":\"done\",\"request_id\":1}}",
                "{\"event_type\":\"session_end\",\"timestamp\":" + (t + 2) + ",\"event_id\":\"000000000004\",\"session_id\":\"" + id
                        + "\",\"data\":{\"duration_ms\":2000}}", ""));
    }

    @BeforeEach
    void stores() throws IOException {
        a = tmp.resolve("a");
        b = tmp.resolve("b");
        session(a, "aaaa000000000001", 1_700_000_100, "alpha", "read_file", false);
        session(b, "bbbb000000000001", 1_700_000_200, "beta", "write_file", true);
        session(a, "same000000000001", 1_700_000_300, "same-in-a", "read_file", false);
        session(b, "same000000000001", 1_700_000_400, "same-in-b", "read_file", true);
        file = Files.writeString(tmp.resolve("not-a-store"), "x");
        specs = new TraceTools(StoreSet.of(List.of(new StoreLocation(a, "--trace-dir"), new StoreLocation(file, "--trace-dir"),
                new StoreLocation(b, "--trace-dir")))).specifications();
    }

    private CallToolResult call(String tool, Map<String, Object> args) {
        SyncToolSpecification s = specs.stream().filter(x -> x.tool().name().equals(tool)).findFirst().orElseThrow();
        return s.callHandler().apply(null, CallToolRequest.builder().name(tool).arguments(args).build());
    }

    private JsonNode ok(String tool, Map<String, Object> args) {
        CallToolResult r = call(tool, args);
        assertFalse(r.isError(), tool + ": " + text(r));
        var v = SCHEMAS.validate(ToolSchemas.output(tool), r.structuredContent());
        assertTrue(v.valid(), tool + ": " + v.errorMessage());
        return M.valueToTree(r.structuredContent());
    }

    private String error(String tool, Map<String, Object> args) {
        CallToolResult r = call(tool, args);
        assertTrue(r.isError(), tool + " " + args + " should fail: " + text(r));
        return text(r);
    }

    private static String text(CallToolResult r) {
        return ((TextContent) r.content().get(0)).text();
    }

    @Test
    void listSessionsGivesEachSessionsStoreAndEveryStoreRead() {
        CallToolResult r = call("list_sessions", Map.of());
        JsonNode l = ok("list_sessions", Map.of());
        assertEquals(4, l.get("count").asInt());
        List<String> rows = new ArrayList<>();
        l.get("sessions").forEach(s -> rows.add(s.get("session_id").asText() + "@" + s.get("store").asText()));
        assertEquals(List.of("same000000000001@" + b, "same000000000001@" + a, "bbbb000000000001@" + b, "aaaa000000000001@" + a),
                rows, "newest first across stores; the same id twice, told apart by its store");
        assertEquals(3, l.get("stores").size());
        assertEquals(a.toString(), l.at("/stores/0/dir").asText());
        assertEquals(2, l.at("/stores/0/sessions").asInt());
        assertEquals("not a directory", l.at("/stores/1/problem").asText());
        assertTrue(l.get("problems").toString().contains(file + ": not a directory; the other stores were read"), l.toString());
        assertTrue(text(r).contains("Read 3 stores") && text(r).contains("in " + b), text(r));
        assertEquals(2, ok("list_sessions", Map.of("limit", 2)).get("sessions").size());
    }

    @Test
    void sessionsAreResolvedAcrossStoresAndTheSameIdNeedsItsPath() {
        JsonNode s = ok("get_session", Map.of("session_id", "bbbb"));
        assertEquals(b.toString(), s.at("/session/store").asText());
        assertEquals(4, s.get("event_count").asInt());
        String twice = error("get_session", Map.of("session_id", "same000000000001"));
        assertTrue(twice.contains("is in 2 stores") && twice.contains(a.resolve("same000000000001").toString())
                && twice.contains(b.resolve("same000000000001").toString()), twice);
        assertTrue(twice.contains("pass one of these paths as the session id") && !twice.contains("--trace-dir"), twice);
        assertEquals("same-in-a", ok("get_session", Map.of("session_id", a.resolve("same000000000001").toString()))
                .at("/session/agent_name").asText());
        JsonNode summary = ok("get_session_summary", Map.of("session_id", b.resolve("same000000000001").toString()));
        assertEquals(1, summary.get("error_count").asInt(), "the failing one, in b");
        JsonNode diff = ok("diff_sessions", Map.of("session_a", "aaaa", "session_b", "bbbb"));
        assertTrue(diff.toString().contains("write_file"), diff.toString());
        String missing = error("get_session", Map.of("session_id", "zzzz"));
        assertTrue(missing.contains(a.toString()) && missing.contains(b.toString()) && missing.contains("list_sessions"), missing);
    }

    @Test
    void searchEventsCoversEveryStoreAndPagesAcrossThem() {
        JsonNode failures = ok("search_events", Map.of("has_error", true));
        assertEquals(2, failures.get("count").asInt(), failures.toString());
        failures.get("events").forEach(e -> assertEquals(b.toString(), e.get("_store").asText()));
        assertTrue(failures.get("warnings").toString().contains(file + ": not a directory"), failures.toString());
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            Map<String, Object> args = new java.util.HashMap<>(Map.of("event_type", "tool_call", "limit", 1));
            if (cursor != null) {
                args.put("cursor", cursor);
            }
            JsonNode page = ok("search_events", args);
            page.get("events").forEach(e -> seen.add(e.get("_session_id").asText() + "@" + e.get("_store").asText()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null && seen.size() < 10);
        assertEquals(List.of("same000000000001@" + a, "aaaa000000000001@" + a, "same000000000001@" + b, "bbbb000000000001@" + b),
                seen, "every call once, one store after the other");
        JsonNode one = ok("search_events", Map.of("session_id", b.resolve("same000000000001").toString()));
        assertEquals(4, one.get("count").asInt());
        assertTrue(error("search_events", Map.of("cursor", "s9.abc")).contains("not a cursor"));
    }
}
