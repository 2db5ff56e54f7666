package dev.agenttrace.store.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.TraceEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Classifying where a message is read (an inline watch) and storing later must come to the same
 * trace as classifying on the writer thread: the same events in the same order, the same meta.
 */
class BufferingSinkTest {
    private static final List<String[]> CONVERSATION = List.of(
            new String[] {"c2s", "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                    + "\"clientInfo\":{\"name\":\"cursor\",\"version\":\"1.2\"}}}"},
            new String[] {"s2c", "{\"jsonrpc\":\"2.0\",\"id\":0,\"result\":{\"protocolVersion\":\"2025-06-18\",\"serverInfo\":{\"name\":\"fs\"}}}"},
            new String[] {"c2s", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"read\",\"arguments\":{\"path\":\"a\"}}}"},
            new String[] {"s2c", "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,\"message\":\"ENOENT\"}}"},
            new String[] {"c2s", "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"read\",\"arguments\":{\"path\":\"b\"}}}"},
            new String[] {"s2c", "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}}"});

    @Test
    void inlineClassificationStoresWhatTheWriterThreadWouldHave() {
        McpClassifierTest.CollectingSink direct = new McpClassifierTest.CollectingSink();
        direct.meta.attribution.put("agent_provider", "claude-code"); // known from the environment: clientInfo must not replace it
        McpClassifier onWriter = new McpClassifier();
        long clock = 1_000_000_000L;
        for (String[] m : CONVERSATION) {
            clock += 1_000_000;
            onWriter.onMessage(direct, dir(m[0]), "newline", m[1].getBytes(StandardCharsets.UTF_8), clock / 1e9, clock);
        }

        McpClassifierTest.CollectingSink stored = new McpClassifierTest.CollectingSink();
        stored.meta.attribution.put("agent_provider", "claude-code");
        McpClassifier inline = new McpClassifier();
        List<TraceEvent> seenInline = new ArrayList<>();
        clock = 1_000_000_000L;
        for (String[] m : CONVERSATION) {
            clock += 1_000_000;
            BufferingSink b = new BufferingSink("s1", StoreOptions.defaults());
            inline.onMessage(b, dir(m[0]), "newline", m[1].getBytes(StandardCharsets.UTF_8), clock / 1e9, clock);
            b.forEachEvent(seenInline::add);
            b.replay(stored);
        }

        assertEquals(types(direct.events), types(stored.events));
        assertEquals(stored.events, seenInline, "the watch saw exactly the events stored, ids included");
        assertEquals(direct.messages.size(), stored.messages.size());
        assertEquals(direct.meta.toolCalls, stored.meta.toolCalls);
        assertEquals(2, stored.meta.toolCalls);
        assertEquals(direct.meta.errors, stored.meta.errors);
        assertEquals(direct.meta.attribution, stored.meta.attribution);
        assertEquals("claude-code", stored.meta.attribution.path("agent_provider").asText());
        assertEquals("fs", stored.meta.attribution.at("/mcp_server/name").asText());
        assertEquals(List.of("tool_call", "error", "tool_call", "tool_result"), types(stored.events));
        assertEquals(stored.events.get(0).eventId(), stored.events.get(1).parentId(), "the error is linked to its call");
    }

    private static Direction dir(String s) {
        return s.equals("c2s") ? Direction.CLIENT_TO_SERVER : Direction.SERVER_TO_CLIENT;
    }

    private static List<String> types(List<TraceEvent> events) {
        return events.stream().map(TraceEvent::eventType).toList();
    }
}
