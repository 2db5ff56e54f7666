package dev.agenttrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.cli.CliTest.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** report, dashboard, replay and show --follow as a user types them (the pages themselves are tested in a browser, in report/). */
class ReportCommandsTest {
    @TempDir
    Path store;

    @TempDir
    Path out;

    @BeforeEach
    void copyFixtures() throws IOException {
        try (Stream<Path> all = Files.walk(CliTest.FIXTURES)) {
            for (Path p : all.toList()) {
                Path target = store.resolve(CliTest.FIXTURES.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    @Test
    void reportWritesOneSelfContainedPage() throws IOException {
        Path file = out.resolve("r.html");
        Result r = CliTest.run("report", "7f3e", "-o", file.toString(), "--trace-dir", store.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("wrote " + file), r.err());
        String html = Files.readString(file);
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertTrue(html.contains("7f3e9a10-hooks-s") && html.contains("fix the failing auth test"));
        assertTrue(!html.replace("http://www.w3.org/2000/svg", "").matches("(?s).*https?://.*") && !html.contains("src="),
                "no URL but the SVG namespace, nothing fetched");
    }

    @Test
    void reportSaysWhatIsWrongWithItsInput() {
        Result missing = CliTest.run("report", "nope", "--trace-dir", store.toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("nope"), missing.err());
        Result dir = CliTest.run("report", "7f3e", "-o", out.resolve("no/such/dir/r.html").toString(), "--trace-dir", store.toString());
        assertEquals(2, dir.code());
        assertTrue(dir.err().contains("does not exist; create it or choose another -o"), dir.err());
    }

    @Test
    void dashboardWritesTheTrendsAndEachSessionsReport() throws IOException {
        Path file = out.resolve("dash.html");
        Result r = CliTest.run("dashboard", "--last", "3", "-o", file.toString(), "--trace-dir", store.toString());
        assertEquals(0, r.code(), r.err());
        String html = Files.readString(file);
        assertTrue(html.contains("\"kind\":\"dashboard\""));
        try (Stream<Path> reports = Files.list(out.resolve("reports"))) {
            assertEquals(3, reports.count(), "one report per session shown");
        }
        assertTrue(html.contains("reports/7f3e9a10-hooks-s.html"), "links to the reports");
        Result agent = CliTest.run("dashboard", "--agent", "claude", "--no-reports", "-o", file.toString(), "--trace-dir", store.toString());
        assertEquals(0, agent.code(), agent.err());
        assertTrue(agent.err().contains("(1 session)"), agent.err());
        assertEquals(2, CliTest.run("dashboard", "--last", "0", "-o", file.toString(), "--trace-dir", store.toString()).code());
    }

    @Test
    void replayPlaysTheSessionBack() {
        Result r = CliTest.run("replay", "7f3e", "--speed", "1000", "--trace-dir", store.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Bash {\"command\":\"python -m pytest tests/test_auth.py\"}"), r.out());
        assertTrue(r.out().contains("replayed 14 of 14 events at 1000x: 5 tool calls, 1 errors"), r.out());
        Result from = CliTest.run("replay", "7f3e", "--speed", "1000", "--from", "13", "--trace-dir", store.toString());
        assertTrue(from.out().contains("replayed 2 of 14 events"), from.out());
        Result bad = CliTest.run("replay", "7f3e", "--speed", "0", "--trace-dir", store.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--speed 0.0: give a positive factor"), bad.err());
    }

    @Test
    void showFollowPrintsAnEndedSessionAndReturns() {
        Result r = CliTest.run("show", "7f3e", "--follow", "--trace-dir", store.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("session_end"), r.out());
        Result idle = CliTest.run("show", "3177", "--follow", "--max-idle", "0.3", "--trace-dir", store.toString());
        assertEquals(0, idle.code(), idle.err());
        assertTrue(idle.err().contains("no new event for 0.3 s"), idle.err());
        assertTrue(idle.out().contains("Unknown tool"), idle.out());
    }
}
