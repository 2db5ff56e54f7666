package dev.agenttrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** list, show and the analysis commands over several stores (--trace-dir repeated), as a user types them. */
class SeveralStoresCliTest {
    @TempDir
    Path tmp;
    Path a;
    Path b;

    static void session(Path store, String id, double t, String agent, String tool) throws IOException {
        Path d = Files.createDirectories(store.resolve(id));
        Files.writeString(d.resolve("meta.json"), "{\"session_id\": \"" + id + "\", \"started_at\": " + t + ", \"ended_at\": "
                + (t + 2) + ", \"agent_name\": \"" + agent + "\", \"command\": \"" + agent + "-server\", \"tool_calls\": 1}");
        Files.writeString(d.resolve("events.ndjson"), String.join("\n",
                "{\"event_type\":\"session_start\",\"timestamp\":" + t + ",\"event_id\":\"000000000001\",\"session_id\":\"" + id
                        + "\",\"data\":{}}",
                "{\"event_type\":\"tool_call\",\"timestamp\":" + (t + 0.5) + ",\"event_id\":\"000000000002\",\"session_id\":\"" + id
                        + "\",\"data\":{\"tool_name\":\"" + tool + "\",\"arguments\":{},\"request_id\":1}}",
                "{\"event_type\":\"tool_result\",\"timestamp\":" + (t + 1) + ",\"event_id\":\"000000000003\",\"session_id\":\"" + id
                        + "\",\"duration_ms\":500,\"data\":{\"tool_name\":\"" + tool + "\",\"content_preview\":\"ok\",\"request_id\":1}}",
                "{\"event_type\":\"session_end\",\"timestamp\":" + (t + 2) + ",\"event_id\":\"000000000004\",\"session_id\":\"" + id
                        + "\",\"data\":{\"duration_ms\":2000}}", ""));
    }

    @BeforeEach
    void stores() throws IOException {
        a = tmp.resolve("project/.agent-traces");
        b = tmp.resolve("home/.agent-traces");
        session(a, "aaaa000000000001", 1_700_000_100, "alpha", "read_file");
        session(b, "bbbb000000000001", 1_700_000_200, "beta", "write_file");
    }

    private static CliTest.Result run(String... args) {
        return assertTimeoutPreemptively(Duration.ofSeconds(30), () -> CliTest.run(args), String.join(" ", args));
    }

    private String[] both(String... args) {
        List<String> l = new ArrayList<>(List.of(args));
        l.addAll(List.of("--trace-dir", a.toString(), "--trace-dir", b.toString()));
        return l.toArray(String[]::new);
    }

    @Test
    void listSaysWhichStoresItReadAndMarksEachSessionWithItsStore() {
        CliTest.Result r = run(both("list"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("reading 2 stores"), r.err());
        assertTrue(r.err().contains(a + " (--trace-dir): 1 session"), r.err());
        assertTrue(r.err().contains(b + " (--trace-dir): 1 session"), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).contains("STORE"), r.out());
        assertTrue(lines.get(1).startsWith("bbbb000000000001") && lines.get(1).contains(b.toString()), "newest first, with its store: " + r.out());
        assertTrue(lines.get(2).startsWith("aaaa000000000001") && lines.get(2).contains(a.toString()), r.out());
    }

    @Test
    void listOfOneStoreSaysWhereItLookedAndKeepsItsColumns() {
        CliTest.Result r = run("list", "--trace-dir", a.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("agent-trace: reading " + a + " (--trace-dir)", r.err().strip());
        assertFalse(r.out().contains("STORE"), r.out());
    }

    @Test
    void listJsonStaysMachineReadableWithTheStoreOfEachSession() throws Exception {
        CliTest.Result r = run(both("list", "--json"));
        assertEquals(0, r.code(), r.err());
        JsonNode arr = new ObjectMapper().readTree(r.out());
        assertEquals(2, arr.size());
        assertEquals(b.toString(), arr.get(0).get("store").asText());
        assertEquals(a.toString(), arr.get(1).get("store").asText());
        assertTrue(r.err().contains("reading 2 stores"), "the stores are named on stderr: " + r.err());
    }

    @Test
    void showFindsASessionInAnyStoreAndSaysWhichStore() {
        CliTest.Result r = run(both("show", "bbbb"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("session  bbbb000000000001  (beta)"), r.out());
        assertTrue(r.err().contains("of " + b + " (--trace-dir)"), r.err());
        CliTest.Result latest = run(both("show"));
        assertTrue(latest.out().contains("bbbb000000000001"), "latest is the newest of all stores: " + latest.out());
        for (String cmd : List.of("explain", "stats", "cost")) {
            CliTest.Result x = run(both(cmd, "aaaa", "--json"));
            assertEquals(0, x.code(), cmd + ": " + x.err());
            assertTrue(x.out().contains("aaaa000000000001"), cmd + ": " + x.out());
        }
        CliTest.Result diff = run(both("diff", "aaaa", "bbbb", "--json"));
        assertEquals(0, diff.code(), diff.err());
        assertTrue(diff.out().contains("write_file") && diff.out().contains("read_file"), "a session of each store: " + diff.out());
    }

    @Test
    void aPrefixMatchingSessionsInTwoStoresIsAnErrorNamingBoth() throws IOException {
        session(b, "aaaa000000000002", 1_700_000_300, "gamma", "read_file");
        CliTest.Result r = run(both("show", "aaaa"));
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains("matches 2 sessions in 2 stores"), r.err());
        assertTrue(r.err().contains(a.resolve("aaaa000000000001").toString()) && r.err().contains(b.resolve("aaaa000000000002").toString()),
                r.err());
        CliTest.Result missing = run(both("show", "cccc"));
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no session 'cccc' in " + a + " or " + b), missing.err());
    }

    @Test
    void theSameIdInTwoStoresIsListedTwiceAndShownByItsPath() throws IOException {
        session(a, "same000000000001", 1_700_000_400, "in-project", "read_file");
        session(b, "same000000000001", 1_700_000_500, "in-home", "read_file");
        CliTest.Result l = run(both("list"));
        List<String> same = l.out().lines().filter(x -> x.startsWith("same000000000001")).toList();
        assertEquals(2, same.size(), l.out());
        assertTrue(same.get(0).contains(b.toString()) && same.get(1).contains(a.toString()), "told apart by their store: " + same);
        CliTest.Result ambiguous = run(both("show", "same000000000001"));
        assertEquals(2, ambiguous.code());
        assertTrue(ambiguous.err().contains("'same000000000001' is in 2 stores"), ambiguous.err());
        assertTrue(ambiguous.err().contains("--trace-dir"), "says how to choose: " + ambiguous.err());
        CliTest.Result inA = run(both("show", a.resolve("same000000000001").toString()));
        assertEquals(0, inA.code(), inA.err());
        assertTrue(inA.out().contains("(in-project)"), inA.out());
        CliTest.Result inB = run(both("explain", b.resolve("same000000000001").toString(), "--json"));
        assertEquals(0, inB.code(), inB.err());
        assertTrue(run("show", "same000000000001", "--trace-dir", b.toString()).out().contains("(in-home)"), "one store chosen");
    }

    @Test
    void aHostileStoreAmongSeveralIsReportedAndTheOthersStillRead() throws Exception {
        Path hostile = tmp.resolve("hostile/.agent-traces");
        Path script = Path.of(SeveralStoresCliTest.class.getResource("/fixtures/hostile-store/make-store.sh").toURI());
        Process p = new ProcessBuilder("sh", script.toString(), hostile.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
        Path notAStore = Files.writeString(tmp.resolve("not-a-store"), "a file\n");
        CliTest.Result r = run("list", "--trace-dir", notAStore.toString(), "--trace-dir", hostile.toString(),
                "--trace-dir", a.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains(notAStore + " (--trace-dir): unreadable: not a directory"), r.err());
        assertTrue(r.err().contains(a + " (--trace-dir): 1 session"), r.err());
        assertTrue(r.out().contains("aaaa000000000001"), "the good store is read: " + r.out());
        assertTrue(r.out().contains("b000000000000001"), "the hostile store's sessions are listed, damaged: " + r.out());
        assertTrue(run("show", "aaaa", "--trace-dir", notAStore.toString(), "--trace-dir", hostile.toString(), "--trace-dir", a.toString())
                .out().contains("(alpha)"));
        CliTest.Result none = run("list", "--trace-dir", notAStore.toString());
        assertEquals(1, none.code(), "nothing could be read: " + none.err());
        assertTrue(none.err().contains("not a directory"), none.err());
        assertFalse(none.err().contains("no sessions"), "it could not look, so it does not say the store is empty: " + none.err());
    }

    @Test
    void helpSaysTheOptionRepeats() {
        for (String cmd : List.of("list", "show", "mcp", "explain")) {
            CliTest.Result r = run(cmd, "--help");
            String help = "mcp".equals(cmd) ? r.err() : r.out(); // mcp's stdout is for the protocol only
            assertTrue(help.replaceAll("\\s+", " ").contains("repeat it to read several"), cmd + ": " + help);
        }
    }
}
