package dev.agenttrace.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several stores read as one: listed together, ids resolved across them, a broken one reported. */
class StoreSetTest {
    @TempDir
    Path tmp;

    /** A finished session {@code id} started at {@code t} in {@code store}. */
    static void session(Path store, String id, double t, String agent) throws IOException {
        Path d = Files.createDirectories(store.resolve(id));
        Files.writeString(d.resolve("meta.json"), "{\"session_id\": \"" + id + "\", \"started_at\": " + t + ", \"ended_at\": "
                + (t + 1) + ", \"agent_name\": \"" + agent + "\", \"tool_calls\": 1}");
        Files.writeString(d.resolve("events.ndjson"), "{\"event_type\":\"session_start\",\"timestamp\":" + t
                + ",\"event_id\":\"000000000001\",\"session_id\":\"" + id + "\",\"data\":{}}\n");
    }

    private StoreSet of(Path... dirs) {
        return StoreSet.of(java.util.Arrays.stream(dirs).map(d -> new StoreLocation(d, "test")).toList());
    }

    @Test
    void sessionsOfEveryStoreAreListedNewestFirstEachWithItsStore() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        session(a, "aaaa000000000001", 100, "x");
        session(b, "bbbb000000000001", 200, "y");
        session(a, "aaaa000000000002", 300, "z");
        StoreSet.Listing l = of(a, b).scan();
        assertEquals(List.of("aaaa000000000002", "bbbb000000000001", "aaaa000000000001"),
                l.sessions().stream().map(f -> f.meta().sessionId).toList());
        assertEquals(List.of(a, b, a), l.sessions().stream().map(f -> f.store().dir()).toList());
        assertEquals(List.of("2 sessions", "1 session"), l.stores().stream().map(StoreSet.StoreStatus::state).toList());
        assertTrue(l.problems().isEmpty(), l.problems().toString());
    }

    @Test
    void theSameDirectoryGivenTwiceIsReadOnce() throws IOException {
        Path a = tmp.resolve("a");
        session(a, "aaaa000000000001", 100, "x");
        StoreSet s = of(a, a.resolve("../a"));
        assertEquals(1, s.stores().size());
        assertEquals(1, s.scan().sessions().size());
    }

    @Test
    void anIdOrPrefixIsResolvedAcrossStoresAndLatestIsTheNewestOfAll() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        session(a, "aaaa000000000001", 100, "x");
        session(b, "bbbb000000000001", 200, "y");
        StoreSet s = of(a, b);
        assertEquals(b, s.resolve("bbbb").store().dir());
        assertEquals("aaaa000000000001", s.resolve("aaaa000000000001").meta().sessionId);
        assertEquals("bbbb000000000001", s.resolve("latest").meta().sessionId);
        SessionNotFoundException none = assertThrows(SessionNotFoundException.class, () -> s.resolve("cccc"));
        assertTrue(none.getMessage().contains(a.toString()) && none.getMessage().contains(b.toString()),
                "names every store it looked in: " + none.getMessage());
        assertTrue(none.getMessage().contains("bbbb000000000001"), none.getMessage());
    }

    @Test
    void aPrefixMatchingSessionsInTwoStoresIsAnErrorNamingBoth() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        session(a, "abcd000000000001", 100, "x");
        session(b, "abcd000000000002", 200, "y");
        AmbiguousSessionException e = assertThrows(AmbiguousSessionException.class, () -> of(a, b).resolve("abcd"));
        assertTrue(e.getMessage().contains("matches 2 sessions in 2 stores"), e.getMessage());
        assertEquals(List.of(b.resolve("abcd000000000002").toString(), a.resolve("abcd000000000001").toString()), e.matches());
        assertEquals("abcd000000000001", of(a, b).resolve("abcd000000000001").meta().sessionId, "an exact id wins");
    }

    @Test
    void theSameIdInTwoStoresIsTwoSessionsNamedByTheirPaths() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        session(a, "same000000000001", 100, "in-a");
        session(b, "same000000000001", 200, "in-b");
        StoreSet s = of(a, b);
        assertEquals(2, s.scan().sessions().size(), "both listed");
        AmbiguousSessionException e = assertThrows(AmbiguousSessionException.class, () -> s.resolve("same000000000001"));
        assertTrue(e.getMessage().contains("is in 2 stores") && e.getMessage().contains(a.resolve("same000000000001").toString())
                && e.getMessage().contains(b.resolve("same000000000001").toString()), e.getMessage());
        assertEquals("in-a", s.resolve(a.resolve("same000000000001").toString()).meta().agentName);
        assertEquals("in-b", s.resolve(b.resolve("same000000000001").toString()).meta().agentName);
        assertThrows(SessionNotFoundException.class, () -> s.resolve(a.resolve("nope").toString()));
        assertThrows(SessionNotFoundException.class, () -> s.resolve(tmp.resolve("elsewhere/same000000000001").toString()),
                "a path outside the stores read is not a session");
    }

    @Test
    void aStoreThatIsAFileIsReportedAndTheOthersStillRead() throws IOException {
        Path a = tmp.resolve("a");
        session(a, "aaaa000000000001", 100, "x");
        Path file = Files.writeString(tmp.resolve("not-a-store"), "hello");
        StoreSet s = of(file, a);
        StoreSet.Listing l = s.scan();
        assertEquals(1, l.sessions().size());
        assertTrue(l.problems().stream().anyMatch(p -> p.contains(file.toString()) && p.contains("not a directory")), l.problems().toString());
        assertEquals("unreadable: not a directory", l.stores().get(0).state());
        assertEquals("aaaa000000000001", s.resolve("aaaa").meta().sessionId);
        assertEquals("aaaa000000000001", s.resolve("latest").meta().sessionId);
    }

    @Test
    void anUnreadableStoreIsReportedAndTheOthersStillRead() throws IOException {
        Path a = tmp.resolve("a");
        Path locked = tmp.resolve("locked");
        session(a, "aaaa000000000001", 100, "x");
        session(locked, "llll000000000001", 100, "x");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        try {
            assumeFalse(Files.isReadable(locked), "root reads any directory: nothing to test");
            StoreSet s = of(locked, a);
            StoreSet.Listing l = s.scan();
            assertEquals(List.of("aaaa000000000001"), l.sessions().stream().map(f -> f.meta().sessionId).toList());
            assertTrue(l.problems().stream().anyMatch(p -> p.contains(locked.toString()) && p.contains("permission denied")),
                    l.problems().toString());
            assertEquals("aaaa000000000001", s.resolve("aaaa").meta().sessionId);
            SessionNotFoundException e = assertThrows(SessionNotFoundException.class, () -> s.resolve("llll"));
            assertTrue(e.getMessage().contains("not read: " + locked), e.getMessage());
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void aMissingStoreIsEmptyNotAProblem() throws IOException {
        Path a = tmp.resolve("a");
        session(a, "aaaa000000000001", 100, "x");
        StoreSet.Listing l = of(tmp.resolve("missing"), a).scan();
        assertTrue(l.problems().isEmpty(), l.problems().toString());
        assertEquals("no such directory yet", l.stores().get(0).state());
    }

    @Test
    void oneStoreAnswersAsTheStoreItselfDoes() throws IOException {
        Path a = tmp.resolve("a");
        session(a, "abcd000000000001", 100, "x");
        session(a, "abcd000000000002", 200, "x");
        StoreSet s = of(a);
        AmbiguousSessionException e = assertThrows(AmbiguousSessionException.class, () -> s.resolve("abcd"));
        assertEquals(assertThrows(AmbiguousSessionException.class, () -> TraceStore.at(a).resolve("abcd")).getMessage(), e.getMessage());
        assertThrows(SessionNotFoundException.class, () -> s.resolve("../etc"));
    }
}
