package dev.agenttrace.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.store.TraceStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code printf '<calls>' | agent-trace mcp}: the client writes everything and closes stdin at
 * once; every request still gets its answer before the server exits.
 */
@Timeout(120)
class AnswersBeforeEofTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void answersEveryRequestReadBeforeTheInputEnded() throws Exception {
        String in = String.join("\n", List.of(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"pipe\",\"version\":\"1\"}}}",
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"list_sessions\",\"arguments\":{}}}",
                "{\"jsonrpc\":\"2.0\",\"id\":\"four\",\"method\":\"tools/call\",\"params\":{\"name\":\"get_session_summary\","
                        + "\"arguments\":{\"session_id\":\"latest\"}}}")) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = TraceMcpServer.serve(TraceStore.at(TestFixtures.readOnlyCopy()),
                new ByteArrayInputStream(in.getBytes(StandardCharsets.UTF_8)), out, "test");
        assertEquals(0, code);
        Set<String> ids = new TreeSet<>();
        String text;
        synchronized (out) {
            text = out.toString(StandardCharsets.UTF_8);
        }
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode msg = JSON.readTree(line);
            assertTrue(msg.has("result"), "an answer, not an error: " + line);
            ids.add(msg.get("id").asText());
        }
        assertEquals(new TreeSet<>(List.of("1", "2", "3", "four")), ids, text);
        assertTrue(text.contains("list_sessions") && text.contains("session"), text);
    }
}
