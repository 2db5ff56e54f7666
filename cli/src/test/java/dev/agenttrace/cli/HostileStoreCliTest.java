package dev.agenttrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** list, show, audit, policy suggest and diff, lint, explain and cost against tests/fixtures/hostile-store: answers, never a hang. */
class HostileStoreCliTest {
    private static final Duration BOUND = Duration.ofSeconds(20);
    private static final List<String> DAMAGED_META = List.of("b000000000000001", "b000000000000002", "b000000000000003",
            "b000000000000004", "b000000000000005", "b000000000000006", "b000000000000007", "b000000000000008");
    private static final List<String> UNREADABLE_EVENTS = List.of("c000000000000001", "c000000000000002",
            "c000000000000003", "c000000000000004");

    @TempDir
    static Path tmp;
    static String store;
    static String policy;

    @BeforeAll
    static void build() throws Exception {
        Path script;
        try {
            script = Path.of(HostileStoreCliTest.class.getResource("/fixtures/hostile-store/make-store.sh").toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("tests/fixtures/hostile-store is not on the test classpath", e);
        }
        Path dir = tmp.resolve(".agent-traces");
        Process p = new ProcessBuilder("sh", script.toString(), dir.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
        store = dir.toString();
        Path pol = tmp.resolve("policy.json");
        Files.writeString(pol, "{\"files\": {\"read\": {\"deny\": [\".env\"]}}}");
        policy = pol.toString();
    }

    private static CliTest.Result run(String... args) {
        return assertTimeoutPreemptively(BOUND, () -> CliTest.run(args), String.join(" ", args));
    }

    @Test
    void listShowsDamagedSessionsWithTheirReason() {
        CliTest.Result r = run("list", "--trace-dir", store);
        assertEquals(0, r.code(), r.err());
        for (String id : DAMAGED_META) {
            assertTrue(r.out().contains(id), id + " listed:\n" + r.out());
        }
        assertTrue(r.out().contains("DAMAGED"), r.out());
        assertTrue(r.out().contains("meta.json is empty"), r.out());
        assertTrue(r.out().contains("meta.json is nested too deeply"), r.out());
    }

    @Test
    void showOfEverySessionAnswers() {
        for (String id : DAMAGED_META) {
            CliTest.Result r = run("show", id, "--trace-dir", store);
            assertEquals(0, r.code(), id + ": " + r.err());
            assertTrue(r.out().contains("tool calls 3"), id + ": " + r.out());
            assertTrue(r.out().contains("damaged"), id + ": " + r.out());
        }
        for (String id : UNREADABLE_EVENTS) {
            CliTest.Result r = run("show", id, "--trace-dir", store);
            assertTrue(r.err().contains("not read:"), id + ": " + r.err());
        }
        CliTest.Result r = run("show", "c000000000000005", "--messages", "--trace-dir", store);
        assertTrue(r.err().contains("not read:"), r.err());
    }

    @Test
    void policySuggestAndDiffLearnFromDamagedSessionsAndSayWhichCouldNotBeRead() throws Exception {
        CliTest.Result r = run("policy", "suggest", "--all", "--trace-dir", store);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("4 sessions could not be read at all: nothing was learned from them"), r.err());
        Path suggested = tmp.resolve("suggested.json");
        Files.writeString(suggested, r.out());
        assertEquals(0, run("policy", "check", suggested.toString()).code(), r.out());
        CliTest.Result d = run("policy", "diff", policy, suggested.toString(), "--trace-dir", store);
        assertEquals(1, d.code(), "unreadable sessions are never a pass: " + d.out());
        assertTrue(d.out().contains("4 sessions could not be read at all"), d.out());
    }

    @Test
    void auditJudgesTheEventsOfDamagedSessionsAndFailsOnUnreadableOnes() {
        CliTest.Result r = run("audit", "--all", "--policy", policy, "--trace-dir", store);
        assertEquals(1, r.code(), r.out() + r.err());
        for (String id : DAMAGED_META) {
            assertTrue(r.out().contains("session " + id) , id + ":\n" + r.out());
        }
        assertTrue(r.out().contains("3 tool calls, 3 violations"), r.out());
        assertTrue(r.out().contains("4 sessions could not be read at all"), r.out());
        CliTest.Result one = run("audit", "c000000000000002", "--policy", policy, "--trace-dir", store);
        assertEquals(1, one.code(), "an unreadable session is never a pass: " + one.out());
        assertTrue(one.out().contains("NOT JUDGED"), one.out());
    }

    @Test
    void lintSaysWhatItCouldNotReadAndExitsNonZero() {
        CliTest.Result r = run("lint", "--all", "--trace-dir", store);
        assertEquals(1, r.code(), "could not lint all of it: a failure, not a finding: " + r.out());
        assertTrue(r.out().contains("NOT LINTED"), r.out());
        assertTrue(r.out().contains("could not be read at all"), r.out());
    }

    @Test
    void explainAndCostAnswerForEverySession() {
        for (String id : DAMAGED_META) {
            CliTest.Result r = run("explain", id, "--trace-dir", store);
            assertEquals(0, r.code(), id + ": " + r.err());
            assertTrue(r.out().contains("covers only part of the session"), id + ": " + r.out());
            assertEquals(0, run("cost", id, "--trace-dir", store).code(), id);
        }
        for (String id : UNREADABLE_EVENTS) {
            CliTest.Result r = run("explain", id, "--trace-dir", store);
            assertEquals(1, r.code(), id + ": " + r.out());
            assertTrue(r.out().contains("could not be read at all"), id + ": " + r.out());
        }
    }

    @Test
    void unknownCommandsAndOptionsGetDidYouMean() {
        CliTest.Result r = CliTest.run("lsit");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown command 'lsit'; did you mean 'list'?"), r.err());
        CliTest.Result o = CliTest.run("list", "--jsno", "--trace-dir", store);
        assertEquals(2, o.code());
        assertTrue(o.err().contains("unknown option '--jsno' of 'agent-trace list'; did you mean '--json'?"), o.err());
    }
}
