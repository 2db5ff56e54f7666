package dev.agenttrace.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.store.TraceStore;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every tool against every session of tests/fixtures/hostile-store, each answer within a generous bound. */
class HostileStoreToolsTest {
    private static final Duration BOUND = Duration.ofSeconds(20);
    private static final List<String> SESSIONS = List.of("a000000000000001", "b000000000000001", "b000000000000002",
            "b000000000000003", "b000000000000004", "b000000000000005", "b000000000000006", "b000000000000007",
            "b000000000000008", "c000000000000001", "c000000000000002", "c000000000000003", "c000000000000004",
            "c000000000000005");

    @TempDir
    static Path tmp;
    static List<SyncToolSpecification> specs;

    @BeforeAll
    static void build() throws Exception {
        Path script;
        try {
            script = Path.of(HostileStoreToolsTest.class.getResource("/fixtures/hostile-store/make-store.sh").toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("tests/fixtures/hostile-store is not on the test classpath", e);
        }
        Path dir = tmp.resolve(".agent-traces");
        Process p = new ProcessBuilder("sh", script.toString(), dir.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
        specs = new TraceTools(TraceStore.at(dir)).specifications();
    }

    private static CallToolResult call(String tool, Map<String, Object> args) {
        SyncToolSpecification s = specs.stream().filter(x -> x.tool().name().equals(tool)).findFirst().orElseThrow();
        return assertTimeoutPreemptively(BOUND, () -> s.callHandler().apply(null,
                CallToolRequest.builder().name(tool).arguments(args).build()), tool + " " + args);
    }

    private static String text(CallToolResult r) {
        return ((TextContent) r.content().get(0)).text();
    }

    @Test
    void listSessionsShowsDamagedSessionsWithTheirReason() {
        CallToolResult r = call("list_sessions", Map.of("limit", 100));
        assertFalse(r.isError(), text(r));
        for (String id : SESSIONS) {
            assertTrue(text(r).contains(id), id + " listed:\n" + text(r));
        }
        assertTrue(text(r).contains("DAMAGED: meta.json is empty"), text(r));
    }

    @Test
    void everyToolAnswersForEverySession() {
        for (String id : SESSIONS) {
            CallToolResult g = call("get_session", Map.of("session_id", id));
            assertFalse(g.isError(), id + ": " + text(g));
            assertFalse(call("search_events", Map.of("session_id", id, "query", "env")).isError(), id);
            CallToolResult s = call("get_session_summary", Map.of("session_id", id));
            assertFalse(s.isError(), id + ": " + text(s));
            if (!id.startsWith("a") && !id.equals("c000000000000005")) { // c..5: whole events, a refused wire log
                assertTrue(text(s).contains("note: this session"), id + ": " + text(s));
            }
            assertFalse(call("diff_sessions", Map.of("session_a", "a000000000000001", "session_b", id)).isError(), id);
        }
        assertTrue(text(call("get_session", Map.of("session_id", "c000000000000002"))).contains("could not be read at all"));
        assertTrue(text(call("search_events", Map.of("file_path", ".env", "limit", 500))).startsWith("30 events"),
                "the calls of the damaged sessions are found: " + text(call("search_events", Map.of("file_path", ".env", "limit", 500))));
    }

    @Test
    void theTextCarriesTheCursorAndEventIdsAndErrorsNameTheTools() {
        CallToolResult page = call("get_session", Map.of("session_id", "a000000000000001", "limit", 2));
        Object cursor = ((Map<?, ?>) page.structuredContent()).get("next_cursor");
        assertTrue(text(page).contains("cursor \"" + cursor + "\""), text(page));
        assertTrue(text(page).contains("[event e00000000001]"), text(page));
        CallToolResult search = call("search_events", Map.of("tool_name", "read_file", "limit", 1));
        assertTrue(text(search).contains("cursor \"" + ((Map<?, ?>) search.structuredContent()).get("next_cursor") + "\""),
                text(search));
        CallToolResult missing = call("get_session", Map.of("session_id", "zzzz"));
        assertTrue(missing.isError());
        assertTrue(text(missing).contains("list_sessions"), text(missing));
        assertFalse(text(missing).contains("agent-trace list"), text(missing));
    }
}
