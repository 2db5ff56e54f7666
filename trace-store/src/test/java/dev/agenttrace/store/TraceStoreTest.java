package dev.agenttrace.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceStoreTest {
    @TempDir
    Path tmp;

    private TraceStore store() {
        return TraceStore.at(tmp.resolve(".agent-traces"));
    }

    @Test
    void emptyStoreSaysHowToRecordOne() {
        SessionNotFoundException e = assertThrows(SessionNotFoundException.class, () -> store().resolve("latest"));
        assertTrue(e.getMessage().contains("no sessions in " + tmp.resolve(".agent-traces")), e.getMessage());
        assertTrue(e.getMessage().contains("agent-trace record"), e.getMessage());
        assertEquals(List.of(), store().listSessions());
    }

    @Test
    void rejectsIdsThatWouldLeaveTheStore() {
        for (String bad : List.of("../etc", "a/b", "..", "x\\y", "/abs")) {
            SessionNotFoundException e = assertThrows(SessionNotFoundException.class, () -> store().resolve(bad), bad);
            assertTrue(e.getMessage().contains("not a session id"), e.getMessage());
            assertThrows(SessionNotFoundException.class, () -> store().readEvents(bad), bad);
        }
        SessionMeta m = new SessionMeta();
        m.sessionId = "../outside";
        assertThrows(IllegalArgumentException.class, () -> store().create(m, StoreOptions.defaults()));
        assertTrue(Files.notExists(tmp.resolve("outside")));
    }

    @Test
    void listsAndReportsSessionsWithMissingOrBrokenMetaAsDamaged() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(".agent-traces"));
        write(dir.resolve("good000000000001/meta.json"), "{\"session_id\": \"good000000000001\", \"started_at\": 5.0}");
        write(dir.resolve("nometa0000000001/events.ndjson"), "");
        write(dir.resolve("broken0000000001/meta.json"), "{\"session_id\": ");
        write(dir.resolve("datasets/default.jsonl"), "{}\n"); // not a session: silently ignored
        write(dir.resolve("alerts.log"), "x\n");
        SessionListing listing = store().scan();
        assertEquals(List.of("good000000000001", "nometa0000000001", "broken0000000001"),
                listing.sessions().stream().map(m -> m.sessionId).collect(Collectors.toList()), "newest first; unknown starts last");
        assertEquals(2, listing.problems().size(), listing.problems().toString());
        assertTrue(listing.problems().stream().anyMatch(p -> p.contains("nometa0000000001") && p.contains("no meta.json")));
        assertTrue(listing.problems().stream().anyMatch(p -> p.contains("broken0000000001") && p.contains("not JSON")));
        assertTrue(listing.sessions().get(2).damage.contains("not JSON"), listing.sessions().get(2).damage);
        // the broken session still resolves, so its events can be read
        assertEquals("broken0000000001", store().resolve("broken").sessionId);
    }

    @Test
    void writtenSessionReadsBackAsWritten() throws IOException {
        SessionMeta meta = new SessionMeta();
        meta.agentName = "echo";
        meta.command = "python3 echo_server.py --name caf\u00e9";
        meta.startedAt = 1795352703.1060193;
        meta.attribution.put("pid", 4242).putArray("process_ancestry").add("bash").add("java");
        SessionWriter w = store().create(meta, StoreOptions.defaults());
        assertNotNull(meta.sessionId);
        assertTrue(meta.sessionId.matches("[0-9a-f]{16}"), meta.sessionId);
        List<TraceEvent> written = new ArrayList<>();
        ObjectNode args = JsonNodeFactory.instance.objectNode();
        args.put("text", "h\u00e9llo \uD83D\uDE00").put("n", 3).put("f", 2.5).putNull("nothing");
        args.putArray("list").add(true).add(1e-7);
        written.add(new TraceEvent(EventTypes.SESSION_START, 1795352703.1065843, Ids.eventId(), meta.sessionId, null, null,
                JsonNodeFactory.instance.objectNode().put("mode", "stdio")));
        written.add(new TraceEvent(EventTypes.TOOL_CALL, 1795352703.1078672, "3d81a5f4f862", meta.sessionId, null, null, args));
        written.add(new TraceEvent(EventTypes.TOOL_RESULT, 1795352703.1637394, Ids.eventId(), meta.sessionId,
                "3d81a5f4f862", 55.872201919555664, JsonNodeFactory.instance.objectNode().put("is_error", false)));
        for (TraceEvent e : written) {
            assertTrue(w.submit(e));
        }
        w.submit(sink -> {
            sink.meta().toolCalls = 1;
            sink.meta().endedAt = 1795352704.0;
            sink.metaChanged();
        }, 0);
        w.close(Duration.ofSeconds(5));

        EventRead read = store().readEvents(meta.sessionId);
        assertEquals(List.of(), read.warnings());
        assertEquals(lines(written), lines(read.events()));
        SessionMeta back = store().resolve(meta.sessionId);
        SessionMeta expected = meta.copy();
        expected.toolCalls = 1;
        expected.endedAt = 1795352704.0;
        assertEquals(TraceJson.metaJson(expected), TraceJson.metaJson(back));
        assertEquals(TraceJson.metaJson(expected), Files.readString(store().dir().resolve(meta.sessionId).resolve("meta.json")));
    }

    @Test
    void badLineInTheMiddleIsSkippedAndReportedWithItsNumber() throws IOException {
        Path events = tmp.resolve(".agent-traces/s1/events.ndjson");
        write(events.resolveSibling("meta.json"), "{\"session_id\": \"s1\"}");
        write(events, "{\"event_type\":\"session_start\",\"timestamp\":1.0,\"data\":{}}\n"
                + "garbage\n"
                + "\n"
                + "{\"event_type\":\"session_end\",\"timestamp\":2.0,\"data\":{}}\r\n");
        EventRead read = store().readEvents("s1");
        assertEquals(2, read.events().size());
        assertEquals(1, read.warnings().size());
        assertTrue(read.warnings().get(0).contains("events.ndjson:2: not a trace event"), read.warnings().get(0));
    }

    @Test
    void mergesEventsAndWireLogByTime() throws IOException {
        Path dir = tmp.resolve(".agent-traces/s2");
        write(dir.resolve("meta.json"), "{\"session_id\": \"s2\"}");
        write(dir.resolve("events.ndjson"), "{\"event_type\":\"tool_call\",\"timestamp\":2.0,\"data\":{}}\n"
                + "{\"event_type\":\"tool_result\",\"timestamp\":4.0,\"data\":{}}\n");
        assertEquals(List.of(), store().readMessages("s2").warnings(), "a missing sidecar is not a problem");
        write(dir.resolve("messages.ndjson"), "{\"event_type\":\"mcp_message\",\"timestamp\":1.0,\"data\":{\"n\":1}}\n"
                + "{\"event_type\":\"mcp_message\",\"timestamp\":2.0,\"data\":{\"n\":2}}\n"
                + "{\"event_type\":\"mcp_message\",\"timestamp\":4.0,\"data\":{\"n\":3}}\n");
        List<String> order = store().readEventsAndMessages("s2").events().stream()
                .map(e -> e.eventType() + e.data().path("n").asText("")).collect(Collectors.toList());
        assertEquals(List.of("mcp_message1", "tool_call", "mcp_message2", "tool_result", "mcp_message3"), order);
    }

    @Test
    void createFailsWithThePathWhenTheStoreCannotExist() throws IOException {
        Path file = Files.writeString(tmp.resolve("plain-file"), "x");
        TraceStore s = TraceStore.at(file.resolve(".agent-traces"));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> s.create(new SessionMeta(), StoreOptions.defaults()));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void defaultDirIsAbsolute() {
        assertTrue(TraceStore.defaultDir().isAbsolute());
        String env = System.getenv(TraceStore.ENV_DIR);
        if (env == null || env.isBlank()) {
            assertEquals(Path.of("").toAbsolutePath().resolve(".agent-traces"), TraceStore.defaultDir());
        }
    }

    private static List<String> lines(List<TraceEvent> events) {
        return events.stream().map(TraceJson::eventLine).collect(Collectors.toList());
    }

    private static void write(Path p, String s) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, s);
    }
}
