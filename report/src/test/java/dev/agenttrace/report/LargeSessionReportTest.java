package dev.agenttrace.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.report.browser.Chromium;
import dev.agenttrace.report.browser.Page;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceStore;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 100,000-event session: the file stays a few megabytes and the page stays responsive because
 * only the rows on screen are in the DOM. The weight and the times are written to
 * target/report-figures.txt (measured, never asserted: the machine may be slow).
 */
class LargeSessionReportTest {
    static final int EVENTS = 100_000;

    @Test
    void aHundredThousandEventSessionRendersVirtualised(@TempDir Path store, @TempDir Path dir) throws Exception {
        String id = TestSessions.large(store, EVENTS, 7);
        TraceStore s = TraceStore.at(store);
        SessionMeta meta = s.resolve(id);
        Path file = dir.resolve("large.html");
        long t0 = System.nanoTime();
        dev.agenttrace.report.session.SessionReport report = dev.agenttrace.report.session.SessionReport.read(s, meta);
        double readMs = (System.nanoTime() - t0) / 1e6;
        long w0 = System.nanoTime();
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            ReportPages.session(report, out, null);
        }
        double writeMs = (System.nanoTime() - w0) / 1e6;
        long bytes = Files.size(file);
        long eventBytes = Files.size(store.resolve(id).resolve("events.ndjson"));
        try (Chromium browser = Chromium.launch(); Page p = browser.newPage().offline()) {
            long n0 = System.nanoTime();
            p.open(file.toUri().toString());
            p.waitFor("document.body.dataset.ready");
            double openMs = (System.nanoTime() - n0) / 1e6;
            assertEquals("1", p.eval("document.body.dataset.ready").asText());
            int rows = p.eval("window.agentTraceReport.rows").asInt();
            assertTrue(rows > 45_000, "about half the events are calls: " + rows);
            double renderMs = p.eval("window.agentTraceReport.renderMs").asDouble();
            int inDom = p.eval("document.querySelectorAll('#space .row').length").asInt();
            assertTrue(inDom > 10 && inDom < 100, "only the visible rows are in the DOM: " + inDom);
            // the last call is one keypress away, and is drawn
            p.eval("document.getElementById('scroll').focus()");
            p.key("G");
            p.waitFor("document.querySelector('#space .row.sel') && document.querySelector('#space .row.sel').dataset.row === '" + (rows - 1) + "'");
            // a search over every call
            long q0 = System.nanoTime();
            p.eval("document.getElementById('q').focus()");
            p.type("no such file");
            p.waitFor("document.body.dataset.visible !== '" + rows + "'");
            double searchMs = (System.nanoTime() - q0) / 1e6;
            int failed = p.eval("Number(document.body.dataset.visible)").asInt();
            assertTrue(failed > rows / 40 && failed < rows / 15, "about one call in 25 failed: " + failed);
            assertEquals(List.of(), p.errors());
            p.screenshot(SessionReportPageTest.SHOTS.resolve("report-100k.png"));
            String figures = String.format(Locale.ROOT,
                    "report of a %,d-event session (%,d calls; events.ndjson %,d bytes): %,d bytes of HTML (%.1f MiB); session read and analysed in %.0f ms, page written in %.0f ms; "
                            + "Chromium: page drawn %.0f ms after navigation start (%.0f ms from navigate to ready, as the test saw it), "
                            + "a search over all calls answered in %.0f ms (including the 150 ms input debounce)%n",
                    EVENTS, rows, eventBytes, bytes, bytes / 1048576.0, readMs, writeMs, renderMs, openMs, searchMs);
            System.out.print(figures);
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target", "report-figures.txt"), figures, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }
}
