package dev.agenttrace.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading what the Python agent-strace wrote: every fixture session, with its quirks. */
class TraceStoreFixturesTest {
    private final TraceStore store = TraceStore.at(Fixtures.store());

    @Test
    void listsEveryFixtureSessionNewestFirstByStartTime() {
        SessionListing listing = store.scan();
        assertEquals(List.of(), listing.problems());
        List<String> ids = listing.sessions().stream().map(m -> m.sessionId).collect(Collectors.toList());
        // both proxy sessions started at the same instant: the tie goes to the greater id
        assertEquals(List.of("torn0000000000aa", "31779b9b93994e44", "7f3e9a10-hooks-s", "0000000000000002",
                "ffff000000000001"), ids);
    }

    @Test
    void latestIsTheGreatestStartedAtNotTheGreatestId(@TempDir Path tmp) throws IOException {
        TraceStore two = TraceStore.at(copyOf(tmp, "ffff000000000001", "0000000000000002"));
        assertEquals("0000000000000002", two.resolve("latest").sessionId);
        assertEquals(List.of("0000000000000002", "ffff000000000001"),
                two.listSessions().stream().map(m -> m.sessionId).collect(Collectors.toList()));
        assertEquals("torn0000000000aa", store.resolve("latest").sessionId, "in the full store, a proxy session is newest");
    }

    @Test
    void ambiguousPrefixListsEveryMatch(@TempDir Path tmp) throws IOException {
        Path dir = copyOf(tmp, "ffff000000000001", "0000000000000002");
        Path third = Files.createDirectories(dir.resolve("0000000000000003"));
        Files.writeString(third.resolve("meta.json"), "{\n  \"session_id\": \"0000000000000003\",\n  \"started_at\": 1700000050.0\n}");
        TraceStore s = TraceStore.at(dir);
        AmbiguousSessionException e = assertThrows(AmbiguousSessionException.class, () -> s.resolve("0000"));
        assertEquals(List.of("0000000000000002", "0000000000000003"), e.matches());
        assertTrue(e.getMessage().contains("0000000000000002") && e.getMessage().contains("0000000000000003"), e.getMessage());
        assertEquals("0000000000000003", s.resolve("00000000000000003".substring(1)).sessionId);
    }

    static Path copyOf(Path tmp, String... ids) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(".agent-traces"));
        for (String id : ids) {
            Path to = Files.createDirectories(dir.resolve(id));
            try (Stream<Path> files = Files.list(Fixtures.session(id))) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
        }
        return dir;
    }

    @Test
    void everyFixtureSessionReadsBackWithItsOwnIdAndTypes() {
        for (String id : Fixtures.SESSIONS) {
            SessionMeta meta = store.resolve(id);
            assertEquals(id, meta.sessionId);
            assertTrue(meta.startedAt > 1.6e9, id);
            EventRead read = store.readEvents(id);
            assertEquals(id.startsWith("torn") ? 1 : 0, read.warnings().size(), id + ": " + read.warnings());
            assertTrue(read.events().size() >= 2, id);
            for (TraceEvent e : read.events()) {
                assertTrue(EventTypes.AGENT_STRACE.contains(e.eventType()), e.eventType());
                assertTrue(e.eventId().matches("[0-9a-f]{12}"), e.eventId());
                assertTrue(e.timestamp() >= meta.startedAt, id + " " + e.eventId());
                assertTrue(e.data() != null);
            }
            assertEquals("session_start", read.events().get(0).eventType(), id);
        }
    }

    @Test
    void readsTheHooksSessionWithTypedFields() {
        SessionMeta meta = store.resolve("7f3e9a10-hooks-s");
        assertEquals("claude-code", meta.agentName);
        assertEquals("claude-code (startup)", meta.command);
        assertEquals(5, meta.toolCalls);
        assertEquals(1, meta.errors);
        assertEquals(0, meta.llmRequests);
        assertEquals(1795352696.1412838, meta.startedAt);
        assertEquals(1795352702.6774259, meta.endedAt);
        assertEquals(6536.142110824585, meta.totalDurationMs);
        assertEquals("bash", meta.attribution.get("process_ancestry").get(0).asText());
        assertEquals(5230, meta.attribution.get("pid").asInt());

        EventRead read = store.readEvents("7f3e9a10-hooks-s");
        assertEquals(List.of(), read.warnings());
        assertEquals(14, read.events().size());
        TraceEvent error = read.events().get(5);
        assertEquals("error", error.eventType());
        assertEquals("fc090054a365", error.parentId());
        assertEquals(637.1622085571289, error.durationMs());
        assertEquals("tool call failed", error.data().get("error").asText());
        assertEquals("7f3e9a10-hooks-s", error.sessionId());
        TraceEvent response = read.events().get(12);
        assertEquals("Fixed: login now hashes the password \u2014 all 12 tests pass.", response.data().get("text").asText());
        assertEquals("", read.events().get(3).data().get("result").asText(), "an empty string inside data is kept");
    }

    @Test
    void readsTheProxySessionWithEscapesAndNoSessionEnd() {
        SessionMeta meta = store.resolve("31779b9b93994e44");
        assertNull(meta.endedAt, "the proxy was killed: meta never finalised");
        assertEquals(2, meta.toolCalls, "the meta says 0; the events on disk hold 2, and they win");
        assertTrue(meta.countedFromEvents);
        EventRead read = store.readEvents("31779b9b93994e44");
        assertEquals(List.of(), read.warnings());
        assertEquals(List.of("session_start", "tool_call", "tool_call", "tool_result", "error"),
                read.events().stream().map(TraceEvent::eventType).collect(Collectors.toList()));
        assertEquals("h\u00e9llo w\u00f6rld", read.events().get(1).data().get("arguments").get("text").asText());
        assertEquals(3, read.events().get(1).data().get("request_id").asInt());
        assertTrue(read.events().get(2).data().get("request_id").isTextual(), "request ids keep their JSON type");
        assertEquals(55.872201919555664, read.events().get(3).durationMs());
        assertEquals(-32602, read.events().get(4).data().get("code").asInt());
    }

    @Test
    void skipsAndReportsTheTornLastLine() {
        EventRead read = store.readEvents("torn0000000000aa");
        assertEquals(5, read.events().size());
        assertEquals(1, read.warnings().size());
        String w = read.warnings().get(0);
        assertTrue(w.contains("events.ndjson:6:"), w);
        assertTrue(w.contains("torn last line"), w);
    }

    @Test
    void streamsEventsWithTheSameWarnings() {
        int[] count = {0};
        List<String> warnings = store.forEachEvent("torn0000000000aa", e -> count[0]++);
        assertEquals(5, count[0]);
        assertEquals(1, warnings.size());
    }

    @Test
    void uniquePrefixResolvesIdsWithDashes() {
        assertEquals("7f3e9a10-hooks-s", store.resolve("7f3e").sessionId);
        assertEquals("7f3e9a10-hooks-s", store.resolve("7f3e9a10-h").sessionId);
        assertEquals("31779b9b93994e44", store.resolve("3").sessionId);
    }

    @Test
    void unknownIdSaysWhatExistsAndHowToList() {
        SessionNotFoundException e = assertThrows(SessionNotFoundException.class, () -> store.resolve("zzz"));
        assertTrue(e.getMessage().contains("'zzz'"), e.getMessage());
        assertTrue(e.getMessage().contains("agent-trace list"), e.getMessage());
        assertEquals(List.of("torn0000000000aa", "31779b9b93994e44", "7f3e9a10-hooks-s", "0000000000000002",
                "ffff000000000001"), e.candidates());
    }
}
