package dev.agenttrace.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.store.TraceStore;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Summaries and diffs are served again without reading the session while its files are as they
 * were, and never stale: a live session that appends, or a meta.json replaced, is read again.
 */
class SummaryCacheTest {
    private static final String ID = "31779b9b93994e44";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path store;

    private TraceTools tools;

    private JsonNode call(String tool, Map<String, Object> args) {
        SyncToolSpecification s = tools.specifications().stream().filter(x -> x.tool().name().equals(tool)).findFirst().orElseThrow();
        CallToolResult r = s.callHandler().apply(null, CallToolRequest.builder().name(tool).arguments(args).build());
        assertFalse(Boolean.TRUE.equals(r.isError()), String.valueOf(r.content()));
        return JSON.valueToTree(r.structuredContent());
    }

    private JsonNode summary() {
        return call("get_session_summary", Map.of("session_id", ID));
    }

    private void copyFixture() throws IOException {
        Path from = TraceToolsTest.FIXTURES.resolve(ID);
        Path to = Files.createDirectories(store.resolve(ID));
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        tools = new TraceTools(TraceStore.at(store));
    }

    @Test
    void anUnchangedSessionIsAnalysedOnceForSummariesAndDiffs() throws IOException {
        copyFixture();
        JsonNode first = summary();
        assertEquals(1, tools.analyses());
        assertEquals(first, summary(), "the same answer");
        call("diff_sessions", Map.of("session_a", ID, "session_b", ID));
        assertEquals(1, tools.analyses(), "the second summary and both sides of the diff came from the cache");
    }

    @Test
    void aSessionThatGrowsOrWhoseMetaIsReplacedIsReadAgain() throws IOException {
        copyFixture();
        JsonNode before = summary();
        Path events = store.resolve(ID).resolve("events.ndjson");
        String call = Files.readAllLines(events).stream().filter(l -> l.contains("\"tool_call\"")).findFirst().orElseThrow()
                .replace("\"event_id\":\"", "\"event_id\":\"x");
        Files.writeString(events, call + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        JsonNode grown = summary();
        assertEquals(before.get("event_count").asLong() + 1, grown.get("event_count").asLong(), grown.toString());
        assertEquals(2, tools.analyses());

        // meta.json is replaced whole (written beside it, then moved), as the recorder does
        Path meta = store.resolve(ID).resolve("meta.json");
        Path tmp = store.resolve(ID).resolve("meta.json.tmp");
        Files.writeString(tmp, Files.readString(meta).replace("\"command\": \"python3 echo_server.py\"", "\"command\": \"renamed\""));
        Files.move(tmp, meta, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertEquals("renamed", summary().get("command").asText());
        assertEquals(3, tools.analyses());
    }
}
