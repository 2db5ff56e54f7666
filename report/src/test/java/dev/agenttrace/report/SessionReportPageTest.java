package dev.agenttrace.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.report.browser.Chromium;
import dev.agenttrace.report.browser.Page;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceStore;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The report as a user sees it: written to a file, opened from disk by headless Chromium with the
 * network switched off. Screenshots land in target/screenshots.
 */
class SessionReportPageTest {
    static final Path SHOTS = Path.of("target", "screenshots");
    static Chromium browser;

    @TempDir
    static Path store;

    @BeforeAll
    static void start() throws Exception {
        browser = Chromium.launch();
        TestSessions.copyFixtures(store);
        TestSessions.firewalled(store);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    static Path write(Path dir, String session) throws Exception {
        TraceStore s = TraceStore.at(store);
        SessionMeta meta = s.resolve(session);
        Path file = dir.resolve(meta.sessionId + ".html");
        try (OutputStream out = Files.newOutputStream(file)) {
            ReportPages.session(s, meta, out);
        }
        return file;
    }

    /** Opens a report offline and waits until it is drawn; fails on any console error or request. */
    static Page open(Path file) throws Exception {
        Page p = browser.newPage().offline();
        p.open(file.toUri().toString());
        p.waitFor("document.body.dataset.ready");
        assertEquals("1", p.eval("document.body.dataset.ready").asText(), "the page says it could not be drawn: " + p.eval("document.body.innerText.slice(0, 300)"));
        return p;
    }

    static void assertQuiet(Page p, Path file) {
        assertEquals(List.of(), p.errors(), "console errors");
        for (String url : p.requests()) {
            assertEquals(file.toUri().toString(), url, "the page requested something besides itself");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"7f3e9a10-hooks-s", "31779b9b93994e44", "torn0000000000aa", "0000000000000002"})
    void agentStraceSessionsRenderOfflineWithTheirCalls(String session, @TempDir Path dir) throws Exception {
        Path file = write(dir, session);
        try (Page p = open(file)) {
            int calls = session.startsWith("0000") ? 0 : session.startsWith("7f3e") ? 5 : 2;
            assertEquals(calls, p.eval("document.querySelectorAll('#space .row').length").asInt());
            assertEquals(calls, p.eval("document.querySelectorAll('#space .bar').length").asInt(), "one duration bar per call");
            if (session.startsWith("7f3e")) {
                assertTrue(p.eval("document.getElementById('story').textContent").asText().contains("fix the failing auth test"), "the story");
                assertTrue(p.eval("document.getElementById('files').textContent").asText().contains("/home/dev/proj/src/auth.py"), "files written");
                assertEquals(1, p.eval("document.querySelectorAll('#space .bar.fail').length").asInt(), "the failing Bash call");
                assertTrue(p.eval("document.getElementById('tools').textContent").asText().contains("Bash"), "per-tool table");
            }
            if (calls == 0) {
                assertEquals("No tool calls in this session.", p.eval("document.querySelector('#space .empty').textContent").asText());
            }
            if (session.startsWith("3177")) {
                assertTrue(p.eval("document.querySelector('#space .row .badge.b-err') !== null").asBoolean(), "the unknown-tool error is marked");
            }
            p.screenshot(SHOTS.resolve("report-" + session + ".png"));
            assertQuiet(p, file);
        }
    }

    @Test
    void firewallBlocksAndBreakerAlertsAreOnTheAxisWithRuleAndReason(@TempDir Path dir) throws Exception {
        Path file = write(dir, "f1e2d3c4b5a60001");
        try (Page p = open(file)) {
            String badge = p.eval("document.querySelector('#space .row .badge.b-block').textContent").asText();
            assertEquals("BLOCKED files.read.deny \".env\"", badge);
            String decisions = p.eval("document.getElementById('decision-list').textContent").asText();
            assertTrue(decisions.contains("firewall: blocked") && decisions.contains("read_file path \".env\" reads .env"), decisions);
            assertTrue(decisions.contains("breaker: alert") && decisions.contains("Bash retried 3 times"), decisions);
            assertEquals(1, p.eval("document.querySelectorAll('#axis .axis-mark.mark-policy').length").asInt(), "the block on the time axis");
            assertEquals(1, p.eval("document.querySelectorAll('#axis .axis-mark.mark-alert').length").asInt(), "the alert on the time axis");
            assertTrue(p.eval("document.querySelector('#axis .mark-policy title').textContent").asText().contains("files.read.deny"));
            assertEquals(2, p.eval("document.querySelectorAll('#space .row .lab .mute').length").asInt(), "the Task's two calls are nested");
            assertEquals(List.of(8), List.of(p.eval("[...document.querySelectorAll('#space .row')].filter(r => r.querySelector('.par')).map(r => Number(r.dataset.row) + 1)").get(0).asInt()),
                    "Read (#8) runs beside Grep (#7)");
            assertEquals(1, p.eval("document.querySelectorAll('#space .row .lab .par').length").asInt());
            assertTrue(p.eval("document.getElementById('controls').hidden").asBoolean(), "a file has no live controls");
            assertTrue(p.eval("document.querySelectorAll('#space .badge.b-err').length").asInt() >= 4, "isError results are marked");
            // the decision list leads to the call it blocked, opened
            p.click("#decision-list tbody tr");
            p.waitFor("document.querySelector('#space .detail .rule')");
            assertEquals("files.read.deny \".env\"", p.eval("document.querySelector('#space .detail .rule').textContent").asText());
            p.screenshot(SHOTS.resolve("report-firewalled.png"));
            assertQuiet(p, file);
        }
    }

    @Test
    void aToolResultThatClosesTheScriptNeverRuns(@TempDir Path dir) throws Exception {
        Path file = write(dir, "f1e2d3c4b5a60001");
        String html = Files.readString(file);
        assertTrue(html.contains("window.__pwned"), "the hostile text is in the file");
        assertEquals(2, html.split("</script", -1).length - 1, "only our two script elements end in the file");
        assertTrue(!html.contains("<img") && !html.contains("<!--"), "no markup from the data");
        try (Page p = open(file)) {
            assertEquals(2, p.eval("document.scripts.length").asInt(), "only the data block and the page's own script");
            assertEquals(0, p.eval("document.images.length").asInt());
            assertTrue(p.eval("typeof window.__pwned === 'undefined'").asBoolean());
            p.eval("document.getElementById('q').focus()");
            p.type("pwned");
            p.waitFor("document.body.dataset.visible === '1'");
            p.click("#space .row");
            JsonNode shown = p.waitFor("document.querySelector('#space .detail pre.result') && document.querySelector('#space .detail pre.result').textContent");
            assertEquals(TestSessions.HOSTILE, shown.asText(), "shown as text, byte for byte");
            assertTrue(p.eval("typeof window.__pwned === 'undefined'").asBoolean());
            assertQuiet(p, file);
        }
    }

    @Test
    void searchFilterAndKeyboardFindAndOpenACall(@TempDir Path dir) throws Exception {
        Path file = write(dir, "f1e2d3c4b5a60001");
        try (Page p = open(file)) {
            int all = p.eval("document.querySelectorAll('#space .row').length").asInt();
            assertEquals(11, all);
            p.eval("document.getElementById('q').focus()");
            p.type("pytest tests/");
            p.waitFor("document.body.dataset.visible === '3'");
            p.key("Escape");
            p.waitFor("document.body.dataset.visible === '11'");
            // errors only, by key
            p.key("e");
            p.waitFor("document.body.dataset.visible === '4'");
            p.key("e");
            p.waitFor("document.body.dataset.visible === '11'");
            // the tool filter
            p.eval("const s = document.getElementById('tool'); s.value = [...s.options].find(o => o.text.startsWith('Grep')).value; s.dispatchEvent(new Event('change'))");
            p.waitFor("document.body.dataset.visible === '1'");
            p.key("Escape");
            p.waitFor("document.body.dataset.visible === '11'");
            // j j Enter opens the third call, with its arguments
            p.key("j");
            p.key("j");
            p.key("j");
            p.key("Enter");
            JsonNode args = p.waitFor("document.querySelector('#space .detail pre.args') && document.querySelector('#space .detail pre.args').textContent");
            assertTrue(args.asText().contains("\"command\": \"pytest tests/test_app.py\""), args.asText());
            assertEquals("2", p.eval("document.querySelector('#space .row.sel').dataset.row").asText(), "the third call is selected");
            p.key("Enter");
            p.waitFor("document.querySelector('#space .detail') === null");
            assertQuiet(p, file);
        }
    }
}
