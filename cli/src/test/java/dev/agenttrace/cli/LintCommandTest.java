package dev.agenttrace.cli;

import static dev.agenttrace.cli.WatchTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.cli.WatchTestSupport.Result;
import dev.agenttrace.cli.WatchTestSupport.Session;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lint's exit codes: 0 clean, 1 warnings with --strict, 2 critical. */
class LintCommandTest {
    static final Path FIXTURES = TestFixtures.agentStraceStore();

    @TempDir
    Path store;

    @Test
    void aCleanSessionExitsZero() {
        Session s = new Session(store, "c1ea000000000001", null, "ok");
        s.ok(s.call("read_file", "{\"path\": \"a\"}"));
        s.end();
        Result r = run("lint", "--trace-dir", store.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().startsWith("session c1ea000000000001  1 calls, 0 errors, cost ~$"), r.out());
        assertTrue(r.out().contains("clean"), r.out());
    }

    @Test
    void aRetryStormIsCriticalExitTwo() {
        new Session(store, "bad0000000000001", null, "storm").retryStorm(5).end();
        Result r = run("lint", "bad0", "--trace-dir", store.toString());
        assertEquals(3, r.code(), r.out());
        assertTrue(r.out().contains("CRITICAL  retry"), r.out());
        assertTrue(r.out().contains("1 session: 1 critical, 0 warnings"), r.out());
    }

    @Test
    void warningsFailOnlyWithStrict() {
        Session s = new Session(store, "5117000000000001", null, "silent");
        TraceEvent w = s.call("write_file", "{\"path\": \"out.md\"}");
        s.error(w, "EROFS: read-only file system");
        s.call("git_commit", "{\"message\": \"done\"}");
        s.end();
        Result lenient = run("lint", "--trace-dir", store.toString());
        assertEquals(0, lenient.code(), lenient.out());
        assertTrue(lenient.out().contains("WARNING   silent_failure"), lenient.out());
        Result strict = run("lint", "--strict", "--trace-dir", store.toString());
        assertEquals(3, strict.code(), strict.out());
    }

    @Test
    void loopsAndBudgetProximityAreFound() {
        Session loop = new Session(store, "1009000000000001", null, "loop");
        for (int i = 0; i < 3; i++) {
            loop.ok(loop.call("search", "{\"q\": \"x\"}"));
            loop.ok(loop.call("open", "{\"id\": 1}"));
        }
        loop.end();
        Result r = run("lint", "1009", "--strict", "--trace-dir", store.toString());
        assertEquals(3, r.code(), r.out());
        assertTrue(r.out().contains("WARNING   loop"), r.out());
        Result budget = run("lint", "1009", "--budget", "0.0004", "--trace-dir", store.toString());
        assertTrue(budget.out().contains("budget"), budget.out());
        Result over = run("lint", "1009", "--budget", "0.00001", "--trace-dir", store.toString());
        assertEquals(3, over.code(), over.out());
        assertTrue(over.out().contains("CRITICAL  cost"), over.out());
    }

    @Test
    void aDelegationCycleIsCritical() {
        new Session(store, "dele000000000001", "dele000000000002", "a").end();
        new Session(store, "dele000000000002", "dele000000000001", "b").end();
        Result r = run("lint", "--all", "--json", "--trace-dir", store.toString());
        assertEquals(3, r.code(), r.out());
        JsonNode[] sessions = parse(r.out());
        assertEquals(2, sessions.length);
        for (JsonNode s : sessions) {
            assertEquals("critical", s.path("worst").asText());
            assertEquals("recursive_delegation", s.path("findings").get(0).path("rule").asText());
        }
    }

    @Test
    void theAgentStraceFixturesLintClean(@TempDir Path copy) throws IOException {
        try (Stream<Path> all = Files.walk(FIXTURES)) {
            for (Path p : all.toList()) {
                Path target = copy.resolve(FIXTURES.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        Result r = run("lint", "--all", "--strict", "--trace-dir", copy.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("5 sessions: 0 critical, 0 warnings"), r.out());
        assertTrue(r.err().contains("torn0000000000aa/events.ndjson:6"), "the torn line is reported: " + r.err());
        Result hooks = run("lint", "7f3e", "--json", "--trace-dir", copy.toString());
        JsonNode s = parse(hooks.out())[0];
        assertEquals(5, s.path("counters").path("tool_calls").asInt());
        assertEquals("clean", s.path("worst").asText());
    }

    private static JsonNode[] parse(String json) {
        try {
            JsonNode n = TraceJson.mapper().readTree(json);
            JsonNode[] out = new JsonNode[n.size()];
            for (int i = 0; i < n.size(); i++) {
                out[i] = n.get(i);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError(json, e);
        }
    }
}
