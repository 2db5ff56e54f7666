package dev.agenttrace.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceJsonTest {
    @Test
    void reserialisesEveryFixtureEventLineByteForByte() throws IOException {
        int checked = 0;
        for (String id : Fixtures.SESSIONS) {
            List<String> lines = Fixtures.rawLines(Fixtures.session(id).resolve("events.ndjson"));
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                boolean last = i == lines.size() - 1;
                if (last && (line.isEmpty() || id.startsWith("torn"))) {
                    continue; // the text after the final newline: empty, or the torn fragment
                }
                assertEquals(line, TraceJson.eventLine(TraceJson.parseEvent(line)), id + " line " + (i + 1));
                checked++;
            }
        }
        assertEquals(2 + 5 + 14 + 2 + 5, checked);
    }

    @Test
    void reserialisesEveryFixtureMetaByteForByte() throws IOException {
        for (String id : Fixtures.SESSIONS) {
            Path file = Fixtures.session(id).resolve("meta.json");
            String original = Files.readString(file);
            assertFalse(original.endsWith("\n"), "Python writes meta.json without a trailing newline: " + id);
            assertEquals(original, TraceJson.metaJson(TraceJson.parseMeta(Files.readAllBytes(file))), id);
        }
    }

    @Test
    void writesMetaWithPythonIndentAndKeyOrder() {
        SessionMeta m = new SessionMeta();
        m.attribution = null;
        m.depth = 2;
        m.parentEventId = "e";
        m.parentSessionId = "p";
        m.totalDurationMs = 6536.142110824585;
        m.totalTokens = 1000;
        m.errors = 1;
        m.llmRequests = 2;
        m.toolCalls = 5;
        m.command = "c \"q\"";
        m.agentName = "n\u00e9";
        m.endedAt = 1795352702.6774259;
        m.startedAt = 1795352696.1412838;
        m.sessionId = "abc-def";
        ObjectNode a = JsonNodeFactory.instance.objectNode();
        a.putArray("a");
        a.putObject("b");
        a.putArray("c").add(1).add(2.5).addObject().putNull("x").put("y", true);
        a.putObject("d").put("e", "\uD83D\uDE00");
        m.attribution = a;
        // json.dumps(d, indent=2) of the same dict, printed by Python 3.11
        String python = "{\n  \"session_id\": \"abc-def\",\n  \"started_at\": 1795352696.1412838,\n  \"ended_at\": 1795352702.6774259,\n  \"agent_name\": \"n\\u00e9\",\n  \"command\": \"c \\\"q\\\"\",\n  \"tool_calls\": 5,\n  \"llm_requests\": 2,\n  \"errors\": 1,\n  \"total_tokens\": 1000,\n  \"total_duration_ms\": 6536.142110824585,\n  \"parent_session_id\": \"p\",\n  \"parent_event_id\": \"e\",\n  \"depth\": 2,\n  \"attribution\": {\n    \"a\": [],\n    \"b\": {},\n    \"c\": [\n      1,\n      2.5,\n      {\n        \"x\": null,\n        \"y\": true\n      }\n    ],\n    \"d\": {\n      \"e\": \"\\ud83d\\ude00\"\n    }\n  }\n}";
        assertEquals(python, TraceJson.metaJson(m));
    }

    @Test
    void metaOmitsZeroNullAndEmptyButKeepsEmptyAttribution() {
        SessionMeta m = new SessionMeta();
        m.sessionId = "s";
        m.agentName = "";
        m.startedAt = 0.0;
        assertEquals("{\n  \"session_id\": \"s\",\n  \"attribution\": {}\n}", TraceJson.metaJson(m));
    }

    @Test
    void metaReaderIgnoresUnknownKeysAndKeepsAttributionExtras() throws IOException {
        SessionMeta m = TraceJson.parseMeta("{\"session_id\":\"x\",\"started_at\":17,\"future_field\":[1],"
                + "\"tool_calls\":3,\"attribution\":{\"agent_provider\":\"unknown\",\"child_pid\":42}}");
        assertEquals("x", m.sessionId);
        assertEquals(17.0, m.startedAt);
        assertEquals(3, m.toolCalls);
        assertNull(m.endedAt);
        assertEquals(42, m.attribution.get("child_pid").asInt());
        assertEquals("unknown", m.attribution.get("agent_provider").asText());
    }

    @Test
    void omitsNullAndEmptyTopLevelFieldsInPythonKeyOrder() {
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("k", "");
        TraceEvent e = new TraceEvent("tool_call", 1700000000.5, "abcdefabcdef", "s1", "", null, data);
        assertEquals("{\"event_type\":\"tool_call\",\"timestamp\":1700000000.5,\"event_id\":\"abcdefabcdef\","
                + "\"session_id\":\"s1\",\"data\":{\"k\":\"\"}}", TraceJson.eventLine(e));
        TraceEvent linked = new TraceEvent("tool_result", 2.0, "e2", "s1", "e1", 0.0, data);
        assertEquals("{\"event_type\":\"tool_result\",\"timestamp\":2.0,\"event_id\":\"e2\",\"session_id\":\"s1\","
                + "\"parent_id\":\"e1\",\"duration_ms\":0.0,\"data\":{\"k\":\"\"}}", TraceJson.eventLine(linked));
    }

    @Test
    void escapesLikePythonEnsureAscii() {
        ObjectNode data = JsonNodeFactory.instance.objectNode()
                .put("s", "a\"b\\c\n\t\u0001\u007f\u00e9\uD83D\uDE00/\b\f\r\u2028");
        // json.dumps({'s': ...}, separators=(',', ':')) as printed by Python 3.11
        assertEquals("{\"s\":\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\\u00e9\\ud83d\\ude00/\\b\\f\\r\\u2028\"}",
                TraceJson.compact(data));
    }

    @Test
    void keepsNumbersInDataExactly() throws IOException {
        String line = "{\"event_type\":\"tool_call\",\"timestamp\":1.0,\"data\":{\"big\":1e400,\"one\":1.0,"
                + "\"int\":123456789012345678901234567890,\"tenth\":0.1,\"small\":1e-05,\"large\":1e+16,"
                + "\"precise\":0.10000000000000000000001,\"neg\":-7,\"half\":12.50}}";
        TraceEvent e = TraceJson.parseEvent(line);
        assertEquals(0, new BigDecimal("1e400").compareTo(e.data().get("big").decimalValue()));
        assertEquals(new BigInteger("123456789012345678901234567890"), e.data().get("int").bigIntegerValue());
        String out = TraceJson.eventLine(e);
        assertTrue(out.contains("\"one\":1.0,"), out);
        assertTrue(out.contains("\"int\":123456789012345678901234567890,"), out);
        assertTrue(out.contains("\"tenth\":0.1,\"small\":1e-05,\"large\":1e+16,"), out);
        assertTrue(out.contains("\"neg\":-7,\"half\":12.5}"), out);
        JsonNode again = TraceJson.parseEvent(out).data();
        assertEquals(0, new BigDecimal("1e400").compareTo(again.get("big").decimalValue()));
        assertEquals(0, new BigDecimal("0.10000000000000000000001").compareTo(again.get("precise").decimalValue()));
    }

    @Test
    void acceptsTheNaNAndInfinityPythonWrites() throws IOException {
        TraceEvent e = TraceJson.parseEvent("{\"event_type\":\"decision\",\"timestamp\":1,\"data\":"
                + "{\"n\":NaN,\"i\":Infinity,\"m\":-Infinity}}");
        assertTrue(Double.isNaN(e.data().get("n").doubleValue()));
        assertTrue(TraceJson.eventLine(e).endsWith("\"data\":{\"n\":NaN,\"i\":Infinity,\"m\":-Infinity}}"));
    }

    @Test
    void ignoresUnknownEventFields() throws IOException {
        TraceEvent e = TraceJson.parseEvent("{\"event_type\":\"error\",\"timestamp\":5,\"event_id\":\"e\","
                + "\"session_id\":\"s\",\"schema_version\":3,\"data\":{}}");
        assertEquals("error", e.eventType());
        assertEquals(5.0, e.timestamp());
        assertNull(e.parentId());
        assertNull(e.durationMs());
    }

    @Test
    void rejectsLinesThatAreNotEvents() {
        assertThrows(IOException.class, () -> TraceJson.parseEvent("{\"timestamp\":1}"));
        assertThrows(IOException.class, () -> TraceJson.parseEvent("[1,2]"));
        assertThrows(IOException.class, () -> TraceJson.parseEvent("{\"event_type\":\"x\",\"data\":[1]}"));
        assertThrows(IOException.class, () -> TraceJson.parseEvent("{\"event_type\":\"tool_call\",\"timestamp\":17000"));
        assertThrows(IOException.class, () -> TraceJson.parseEvent("{\"event_type\":\"a\"}{\"event_type\":\"b\"}"),
                "two events that lost the newline between them");
    }
}
