package dev.agenttrace.store.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import dev.agenttrace.store.TraceStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceQueriesTest {
    @TempDir
    Path dir;

    private void session(String id, double start, String agent, String... lines) throws IOException {
        Path s = Files.createDirectories(dir.resolve(id));
        Files.writeString(s.resolve("meta.json"), "{\"session_id\":\"" + id + "\",\"started_at\":" + start
                + (agent == null ? "" : ",\"agent_name\":\"" + agent + "\"") + "}");
        StringBuilder b = new StringBuilder();
        for (String l : lines) {
            b.append(l).append('\n');
        }
        Files.writeString(s.resolve("events.ndjson"), b);
    }

    private static String call(String id, double ts, String tool, String argsJson) {
        return "{\"event_type\":\"tool_call\",\"timestamp\":" + ts + ",\"event_id\":\"" + id + "\",\"session_id\":\"x\","
                + "\"data\":{\"tool_name\":\"" + tool + "\",\"arguments\":" + argsJson + "}}";
    }

    private static EventFilter tool(String name) {
        return new EventFilter(name, null, null, null, null, Set.of(), null, null);
    }

    @Test
    void listsNewestFirstWithCountsFromTheEventsAndAnAgentFilter() throws IOException {
        session("bbbb", 2000, "cursor", call("c1", 2000.1, "Read", "{}"));
        session("aaaa", 3000, "claude-code", call("c2", 3000.1, "Read", "{}"), call("c3", 3000.2, "Edit", "{}"));
        TraceQueries q = new TraceQueries(TraceStore.at(dir));
        TraceQueries.SessionPage page = q.listSessions(10, null);
        assertEquals(List.of("aaaa", "bbbb"), page.sessions().stream().map(s -> s.get("session_id").asText()).toList());
        ObjectNode a = page.sessions().get(0);
        assertEquals(2, a.get("tool_calls").asInt(), "counted from the events; the meta never got its counters");
        assertTrue(a.get("estimated_cost_usd").asDouble() > 0);
        assertEquals(List.of("bbbb"), q.listSessions(10, "CURS").sessions().stream().map(s -> s.get("session_id").asText()).toList());
        assertEquals(1, q.listSessions(1, null).sessions().size());
        assertEquals(2, q.listSessions(1, null).total());
    }

    @Test
    void probeSessionsAreLeftOutUnlessAskedFor() throws IOException {
        Path p = Files.createDirectories(dir.resolve("prob"));
        Files.writeString(p.resolve("meta.json"), "{\"session_id\":\"prob\",\"started_at\":4000,\"ended_at\":4000.3,"
                + "\"attribution\":{\"unsupported_methods\":[\"server/discover\"]}}");
        Files.writeString(p.resolve("events.ndjson"), "");
        session("work", 3000, "claude-code", call("c2", 3000.1, "Read", "{}"));
        TraceQueries q = new TraceQueries(TraceStore.at(dir));
        TraceQueries.SessionPage page = q.listSessions(10, null);
        assertEquals(List.of("work"), page.sessions().stream().map(s -> s.get("session_id").asText()).toList());
        assertEquals(1, page.probes());
        assertEquals(1, page.total());
        TraceQueries.SessionPage all = q.listSessions(10, null, true);
        assertEquals(List.of("prob", "work"), all.sessions().stream().map(s -> s.get("session_id").asText()).toList());
        assertEquals(0, all.probes());
    }

    @Test
    void findsAgentStraceResultsAndErrorsByTheToolOfTheirCall() throws Exception {
        // agent-strace's proxy writes tool_result with only parent_id, and error with only request_id
        Path python = Path.of(java.util.Objects.requireNonNull(
                getClass().getResource("/fixtures/agent-strace/.agent-traces/31779b9b93994e44"), "fixture missing").toURI());
        assertTrue(Files.isDirectory(python), "fixture missing: " + python);
        Path copy = Files.createDirectories(dir.resolve("31779b9b93994e44"));
        for (String f : List.of("meta.json", "events.ndjson")) {
            Files.copy(python.resolve(f), copy.resolve(f));
        }
        TraceQueries q = new TraceQueries(TraceStore.at(dir));
        assertEquals(List.of("tool_call:3d81a5f4f862", "tool_result:bcdca6b722f9"), describe(q.search(null, tool("echo"), 50, null)));
        assertEquals(List.of("tool_call:de09fdd54577", "error:bf22be82af0e"), describe(q.search(null, tool("NOPE"), 50, null)));
        assertEquals(List.of("error:bf22be82af0e"), describe(q.search(null,
                new EventFilter("nope", null, null, true, null, Set.of(), null, null), 50, null)), "the failures of one tool");
        // a page boundary between the call and its result
        TraceQueries.SearchPage first = q.search(null, tool("echo"), 1, null);
        assertEquals(List.of("tool_call:3d81a5f4f862"), describe(first));
        TraceQueries.SearchPage second = q.search(null, tool("echo"), 1, first.nextCursor());
        assertEquals(List.of("tool_result:bcdca6b722f9"), describe(second));
    }

    @Test
    void aResultLinksOnlyToTheCallWithItsExactRequestId() throws IOException {
        session("ids0", 1000, null,
                "{\"event_type\":\"tool_call\",\"timestamp\":1000.1,\"event_id\":\"k1\",\"session_id\":\"ids0\",\"data\":{\"tool_name\":\"deploy\",\"request_id\":7}}",
                "{\"event_type\":\"tool_call\",\"timestamp\":1000.2,\"event_id\":\"k2\",\"session_id\":\"ids0\",\"data\":{\"tool_name\":\"read\",\"request_id\":\"7\"}}",
                "{\"event_type\":\"error\",\"timestamp\":1000.3,\"event_id\":\"k3\",\"session_id\":\"ids0\",\"data\":{\"message\":\"boom\",\"request_id\":7}}",
                "{\"event_type\":\"error\",\"timestamp\":1000.4,\"event_id\":\"k4\",\"session_id\":\"ids0\",\"data\":{\"message\":\"bang\",\"request_id\":\"7\"}}",
                "{\"event_type\":\"error\",\"timestamp\":1000.5,\"event_id\":\"k5\",\"session_id\":\"ids0\",\"data\":{\"message\":\"stray\",\"request_id\":99}}");
        TraceQueries q = new TraceQueries(TraceStore.at(dir));
        assertEquals(List.of("tool_call:k1", "error:k3"), describe(q.search(null, tool("deploy"), 50, null)), "7 is not \"7\"");
        assertEquals(List.of("tool_call:k2", "error:k4"), describe(q.search(null, tool("read"), 50, null)));
    }

    private static List<String> describe(TraceQueries.SearchPage p) {
        return p.hits().stream().map(h -> h.event().eventType() + ":" + h.event().eventId()).toList();
    }

    @Test
    void skipsSessionsTheIndexRulesOutAndParsesOnlyLinesThatCouldMatch() throws IOException {
        for (int i = 0; i < 20; i++) {
            session(String.format("s%03d", i), 1000 + i, null, call("c" + i, 1000 + i + 0.5, i == 7 ? "deploy" : "read_file",
                    "{\"path\":\"/src/f" + i + ".py\"}"));
        }
        TraceQueries q = new TraceQueries(TraceStore.at(dir));
        TraceQueries.SearchPage p = q.search(null, tool("DEPLOY"), 50, null);
        assertEquals(1, p.hits().size());
        assertEquals("s007", p.hits().get(0).sessionId());
        assertEquals(1, p.sessionsScanned());
        assertEquals(19, p.sessionsSkipped());
        assertEquals(1, q.search(null, new EventFilter(null, "f13.py", null, null, null, Set.of(), null, null), 50, null).hits().size());
        assertEquals(5, q.search(null, new EventFilter(null, null, null, null, null, Set.of(), 1015.0, null), 50, null).hits().size());
    }

    @Test
    void pagesWithACursorVisitEveryMatchOnce() throws IOException {
        for (int i = 0; i < 7; i++) {
            String[] lines = new String[i + 1];
            for (int j = 0; j <= i; j++) {
                lines[j] = call("c" + i + "_" + j, 1000 + i + j * 0.01, "t", "{}");
            }
            session("p" + i, 1000 + i, null, lines);
        }
        TraceQueries q = new TraceQueries(TraceStore.at(dir));
        Set<String> seen = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            TraceQueries.SearchPage p = q.search(null, EventFilter.none(), 3, cursor);
            p.hits().forEach(h -> assertTrue(seen.add(h.event().eventId()), "seen twice: " + h.event().eventId()));
            cursor = p.nextCursor();
            pages++;
        } while (cursor != null && pages < 100);
        assertEquals(28, seen.size());
        assertThrows(IllegalArgumentException.class, () -> q.search(null, EventFilter.none(), 3, "not-a-cursor"));
    }

    @Test
    void theIndexFollowsAppendsRewritesAndRemovalsAndSurvivesCorruption() throws IOException {
        session("grow", 1000, null, call("c1", 1000.1, "Read", "{}"));
        TraceQueries q = new TraceQueries(TraceStore.at(dir));
        assertEquals(0, q.search(null, tool("bash"), 50, null).hits().size());
        Files.writeString(dir.resolve("grow/events.ndjson"), call("c2", 1000.2, "Bash", "{}") + "\n", StandardOpenOption.APPEND);
        assertEquals(1, q.search(null, tool("bash"), 50, null).hits().size(), "the appended line is seen");
        Path index = dir.resolve(StoreIndex.FILE);
        assertTrue(Files.exists(index));
        // a new process reads the index file and still sees the truth
        TraceQueries again = new TraceQueries(TraceStore.at(dir));
        assertEquals(2, again.listSessions(10, null).sessions().get(0).get("tool_calls").asInt());
        Files.writeString(dir.resolve("grow/events.ndjson"), call("c9", 1000.3, "Glob", "{}") + "\n");
        assertEquals(0, again.search(null, tool("bash"), 50, null).hits().size(), "a rewritten file is read again");
        Files.writeString(index, "{not json\n");
        assertEquals(1, new TraceQueries(TraceStore.at(dir)).search(null, tool("glob"), 50, null).hits().size());
        Files.delete(dir.resolve("grow/events.ndjson"));
        Files.delete(dir.resolve("grow/meta.json"));
        Files.delete(dir.resolve("grow"));
        assertEquals(0, again.listSessions(10, null).sessions().size());
        assertNull(again.search(null, EventFilter.none(), 5, null).nextCursor());
    }

    @Test
    void aSessionWithoutMetaIsListedAsDamagedAndItsEventsCanStillBeRead() throws IOException {
        session("good", 1000, null, call("c1", 1000.1, "Read", "{}"));
        Path orphan = Files.createDirectories(dir.resolve("orphan"));
        Files.writeString(orphan.resolve("events.ndjson"), call("c2", 2000.1, "Bash", "{}") + "\n");
        TraceQueries q = new TraceQueries(TraceStore.at(dir));
        TraceQueries.SessionPage page = q.listSessions(10, null);
        assertEquals(2, page.total(), "as agent-trace list: no meta, listed as damaged");
        assertTrue(page.sessions().stream().anyMatch(o -> o.path("session_id").asText().equals("orphan")
                && o.path("damaged").asText().contains("no meta.json") && o.path("tool_calls").asLong() == 1), page.sessions().toString());
        TraceQueries.SearchPage p = q.search("orphan", EventFilter.none(), 10, null);
        assertEquals(1, p.hits().size(), "but get_session of it reads its events");
        assertEquals("orphan", p.session().get("session_id").asText());
    }
}
