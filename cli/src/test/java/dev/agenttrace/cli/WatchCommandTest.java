package dev.agenttrace.cli;

import static dev.agenttrace.cli.WatchTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.cli.WatchTestSupport.Result;
import dev.agenttrace.cli.WatchTestSupport.Session;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatchCommandTest {
    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void checkAcceptsAConfigAndSaysWhatItWatches() throws IOException {
        Path f = file(".agent-watch.json", """
                { "watchers": { "retry": { "max": 3, "alert": "block" }, "hung": { "max_seconds": 45 } } }
                """);
        Result r = run("watch", "check", f.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith(f + ": ok"), r.out());
        assertTrue(r.out().contains("retry: a failing call retried with the same arguments more than 3 times -> block (critical)"), r.out());
        assertTrue(r.out().contains("hung: a call waiting with no traffic for 45 s -> terminal (warning)"), r.out());
    }

    @Test
    void checkRejectsATypoOnOneLineWithFileLineColumnAndFix() throws IOException {
        Path f = file(".watch-rules.json", """
                {"rules": [
                  {"name": "cost cap", "condition": "cost_usd > 0.50", "acton": "kill"}
                ]}
                """);
        Result r = run("watch", "check", f.toString());
        assertEquals(2, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("agent-trace: " + f + ":2:56: unknown key \"acton\" in rules[0]; fix: did you mean \"action\"?"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void watchingAnEndedSessionReplaysItAndReturns() throws IOException {
        Path store = dir.resolve("traces");
        Session s = new Session(store, "a1b2c3d4e5f60001", null, "demo").retryStorm(6).end();
        Result r = run("watch", s.id.substring(0, 6), "--trace-dir", store.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("rules from built-in defaults: retry, loop, silent_failure, cost, budget, duration"), r.err());
        assertTrue(r.out().contains("watching a1b2c3d4e5f60001 (demo)"), r.out());
        assertTrue(r.out().contains("ALERT (before the watch started) [critical] retry: read_file {\"path\":\"missing.txt\"} failed and was retried 4 times"),
                r.out());
        // lint judges the same session by the same defaults: critical there too
        Result lint = run("lint", s.id, "--trace-dir", store.toString());
        assertEquals(3, lint.code(), lint.out() + lint.err());
        assertTrue(lint.out().contains("retried 4 times"), lint.out());
        assertTrue(r.out().contains("ended a1b2c3d4e5f60001  calls 7  errors 7"), r.out());
        assertTrue(r.out().contains("tripped: retry"), r.out());
        assertFalse(Files.exists(store.resolve("alerts.log")), "nothing is acted on for the past");
    }

    @Test
    void watchTakesRulesFromConfigFiles() throws IOException {
        Path store = dir.resolve("traces");
        Session s = new Session(store, "a1b2c3d4e5f60002", null, "demo");
        s.call("a", "{}");
        s.call("b", "{}");
        s.call("c", "{}");
        s.end();
        Path cfg = file("rules.json", "{\"rules\": [{\"name\": \"busy\", \"condition\": \"tool_calls >= 3\", \"action\": \"file\"}]}");
        Result r = run("watch", "--latest", "--config", cfg.toString(), "--trace-dir", store.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("rules from " + cfg + ": busy"), r.err());
        assertTrue(r.out().contains("ALERT (before the watch started) [warning] busy: tool_calls >= 3: now 3 calls"), r.out());
    }

    @Test
    void badInputIsAOneLineUserError() throws IOException {
        Path store = dir.resolve("traces");
        new Session(store, "a1b2c3d4e5f60003", null, "demo").end();
        Result both = run("watch", "--all", "a1b2", "--trace-dir", store.toString());
        assertEquals(2, both.code());
        assertTrue(both.err().startsWith("agent-trace: --all watches every session"), both.err());
        Result missing = run("watch", "ffff", "--trace-dir", store.toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no session 'ffff'"), missing.err());
        Path bad = file("bad.json", "{\"watchers\": {\"cost\": {\"max_dollars\": \"5\"}}}");
        Result typo = run("watch", "--config", bad.toString(), "--trace-dir", store.toString());
        assertEquals(2, typo.code());
        assertTrue(typo.err().contains("watchers.cost.max_dollars must be a number, not a string; fix: write 5 without quotes"), typo.err());
    }

    @Test
    void watchFollowsASessionAsItIsWrittenAndStopsAtItsEnd() throws Exception {
        Path store = dir.resolve("traces");
        Session s = new Session(store, "a1b2c3d4e5f60004", null, "live");
        Path cfg = file("w.json", "{\"watchers\": {\"retry\": {\"max\": 1, \"alert\": [\"terminal\", \"file\"]}}}");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int[] code = {-1};
        Thread t = new Thread(() -> code[0] = Main.execute(new String[] {"watch", s.id, "--config", cfg.toString(), "--trace-dir",
                store.toString()}, new PrintWriter(out, true), new PrintWriter(err, true)));
        t.start();
        Thread.sleep(300);
        s.retryStorm(2);
        long end = System.currentTimeMillis() + 3_000;
        while (!err.toString().contains("[warning] retry") && System.currentTimeMillis() < end) {
            Thread.sleep(10);
        }
        s.end();
        t.join(5_000);
        assertFalse(t.isAlive());
        assertEquals(0, code[0], err.toString());
        assertTrue(err.toString().contains("agent-trace watch: [warning] retry: read_file {\"path\":\"missing.txt\"} failed and was retried 2 times"),
                err.toString());
        assertEquals(1, Files.readAllLines(store.resolve("alerts.log")).size());
        assertTrue(Files.readString(s.dir.resolve("events.ndjson")).contains("\"kind\":\"alert\""), "the alert is in the trace");
    }
}
