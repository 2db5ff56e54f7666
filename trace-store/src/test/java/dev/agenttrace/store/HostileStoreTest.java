package dev.agenttrace.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.store.query.EventFilter;
import dev.agenttrace.store.query.TraceQueries;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every reader of the store against every hostile variant of {@code tests/fixtures/hostile-store}
 * (FIFOs, {@code /dev/zero}, links out of the store, directories, empty, binary, garbage and
 * 100,000-deep metas): each answers within a generous bound, and nothing is hidden.
 */
class HostileStoreTest {
    private static final Duration BOUND = Duration.ofSeconds(20);
    static final List<String> DAMAGED_META = List.of("b000000000000001", "b000000000000002", "b000000000000003",
            "b000000000000004", "b000000000000005", "b000000000000006", "b000000000000007", "b000000000000008");
    static final List<String> UNREADABLE_EVENTS = List.of("c000000000000001", "c000000000000002", "c000000000000003",
            "c000000000000004");

    @TempDir
    static Path tmp;
    static TraceStore store;

    /** Builds the hostile store with the fixture's script (the cli and mcp-server tests use the same one). */
    static Path build(Path dir) throws Exception {
        Path script;
        try {
            script = Path.of(HostileStoreTest.class.getResource("/fixtures/hostile-store/make-store.sh").toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("tests/fixtures/hostile-store is not on the test classpath", e);
        }
        Process p = new ProcessBuilder("sh", script.toString(), dir.toString()).inheritIO().start();
        assertEquals(0, p.waitFor(), "make-store.sh");
        return dir;
    }

    @BeforeAll
    static void buildStore() throws Exception {
        store = TraceStore.at(build(tmp.resolve(".agent-traces")));
    }

    @Test
    void listShowsEveryDamagedSessionWithItsReasonAndCountsFromItsEvents() {
        SessionListing l = assertTimeoutPreemptively(BOUND, () -> store.scan());
        Map<String, SessionMeta> byId = l.sessions().stream().collect(Collectors.toMap(m -> m.sessionId, Function.identity()));
        for (String id : DAMAGED_META) {
            SessionMeta m = byId.get(id);
            assertNotNull(m, id + " is listed");
            assertNotNull(m.damage, id + " says it is damaged");
            assertEquals(3, m.toolCalls, id + ": its three calls, from the events");
        }
        assertTrue(byId.get("b000000000000001").damage.contains("no meta.json"), byId.get("b000000000000001").damage);
        assertTrue(byId.get("b000000000000002").damage.contains("empty"), byId.get("b000000000000002").damage);
        assertTrue(byId.get("b000000000000004").damage.contains("not JSON"), byId.get("b000000000000004").damage);
        assertTrue(byId.get("b000000000000005").damage.contains("directory"), byId.get("b000000000000005").damage);
        assertTrue(byId.get("b000000000000006").damage.contains("nested too deeply"), byId.get("b000000000000006").damage);
        assertTrue(byId.get("b000000000000007").damage.contains("FIFO"), byId.get("b000000000000007").damage);
        assertTrue(byId.get("b000000000000008").damage.contains("outside the store"), byId.get("b000000000000008").damage);
        assertNull(byId.get("a000000000000001").damage);
        for (String id : UNREADABLE_EVENTS) {
            assertNotNull(byId.get(id), id + " is listed (its meta is good)");
        }
    }

    @Test
    void readingEventsNeverHangsAndSaysWhyAFileWasNotRead() {
        for (String id : UNREADABLE_EVENTS) {
            EventRead r = assertTimeoutPreemptively(BOUND, () -> store.readEvents(id), id);
            assertEquals(0, r.events().size(), id);
            assertTrue(r.warnings().stream().anyMatch(w -> w.contains("not read:")), id + ": " + r.warnings());
            SessionCoverage c = SessionCoverage.of(store, store.resolve(id), r.warnings());
            assertNotNull(c.unreadable(), id + " could not be read at all");
        }
        assertTrue(store.readEvents("c000000000000003").warnings().get(0).contains("outside the store"));
        EventRead merged = assertTimeoutPreemptively(BOUND, () -> store.readEventsAndMessages("c000000000000005"));
        assertEquals(6, merged.events().size(), "events read, the /dev/zero wire log refused");
        for (String id : DAMAGED_META) {
            EventRead r = assertTimeoutPreemptively(BOUND, () -> store.readEvents(id), id);
            assertEquals(6, r.events().size(), id);
            SessionCoverage c = SessionCoverage.of(store, store.resolve(id), r.warnings());
            assertNull(c.unreadable(), id);
            assertTrue(c.note().contains("part of the session"), id + ": " + c.note());
        }
        assertTrue(SessionCoverage.of(store, store.resolve("a000000000000001"), List.of()).complete());
    }

    @Test
    void tailsAndScansNeverHang() {
        for (String id : UNREADABLE_EVENTS) {
            EventTail t = store.tail(id);
            List<String> w = assertTimeoutPreemptively(BOUND, () -> t.poll(e -> { }), id);
            assertEquals(1, w.size(), id + ": " + w);
            assertEquals(List.of(), assertTimeoutPreemptively(BOUND, () -> t.poll(e -> { })), "said once, not at every poll");
            TraceStore.EventScan s = assertTimeoutPreemptively(BOUND, () -> store.scanEvents(id, 0, 1, true,
                    TraceStore.RawLineFilter.ALL, (e, line, end) -> false), id);
            assertEquals(0, s.endOffset(), id);
        }
    }

    @Test
    void theQueriesOfTheMcpServerListDamagedSessionsAndNeverHang() {
        TraceQueries q = new TraceQueries(store);
        TraceQueries.SessionPage page = assertTimeoutPreemptively(BOUND, () -> q.listSessions(100, null));
        List<String> ids = page.sessions().stream().map(o -> o.get("session_id").asText()).toList();
        for (String id : DAMAGED_META) {
            assertTrue(ids.contains(id), id + " in " + ids);
        }
        assertTrue(page.sessions().stream().filter(o -> o.has("damaged")).count() >= DAMAGED_META.size());
        for (String id : ids) {
            assertTimeoutPreemptively(BOUND, () -> q.session(id), id);
            assertTimeoutPreemptively(BOUND, () -> q.search(id, EventFilter.none(), 100, null), id);
        }
        TraceQueries.SearchPage all = assertTimeoutPreemptively(BOUND, () -> q.search(null,
                new EventFilter(null, ".env", null, null, null, null, null, null), 500, null));
        assertTrue(all.hits().size() >= 3 * (1 + DAMAGED_META.size()), "the calls of damaged sessions are found too: " + all.hits().size());
    }
}
