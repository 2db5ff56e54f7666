package dev.agenttrace.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.report.browser.Chromium;
import dev.agenttrace.report.browser.Page;
import dev.agenttrace.report.dashboard.SessionTrend;
import dev.agenttrace.report.dashboard.Trends;
import dev.agenttrace.store.TraceStore;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard over a store of runs, opened offline in Chromium; its bars lead to the reports. */
class DashboardPageTest {

    @Test
    void trendsComeFromTheAnalysesOfEachRun(@TempDir Path store) throws Exception {
        TestSessions.runs(store, 12);
        TestSessions.copyFixtures(store);
        List<SessionTrend> trends = Trends.read(TraceStore.at(store), 8, "nightly", 4);
        assertEquals(8, trends.size(), "the last 8 runs of that agent");
        assertEquals("a0b0c0d0e0f00004", trends.get(0).sessionId(), "oldest first");
        SessionTrend first = trends.get(0);
        assertTrue(first.baselineUsd() != null, "even the first of the window has a baseline: the runs before it");
        List<SessionTrend> all = Trends.read(TraceStore.at(store), 12, "nightly", 4);
        double median = median(all.subList(0, 4).stream().map(SessionTrend::costUsd).toList());
        assertEquals(median, all.get(4).baselineUsd(), 1e-12, "baseline = median of the 4 runs before");
        assertEquals(null, all.get(0).baselineUsd());
        assertTrue(all.get(0).loops() >= 1, "run 0 repeats Grep, Read, Edit four times");
        assertEquals(0, all.get(1).loops());
        assertEquals(1, all.get(1).trips(), "run 1 tripped a breaker");
        assertTrue(all.get(0).errorKinds().containsKey("timeout") && all.get(0).errorKinds().containsKey("not_found"), all.get(0).errorKinds().toString());
        assertTrue(all.get(0).toolP50Ms().containsKey("Read"));
    }

    private static double median(List<Double> xs) {
        List<Double> s = xs.stream().sorted().toList();
        return (s.get(1) + s.get(2)) / 2;
    }

    @Test
    void aChartPerTrendAndEachRunOneClickFromItsReport(@TempDir Path store, @TempDir Path dir) throws Exception {
        TestSessions.runs(store, 12);
        TestSessions.copyFixtures(store);
        TestSessions.firewalled(store);
        TraceStore s = TraceStore.at(store);
        List<SessionTrend> trends = Trends.read(s, 30, null, 5);
        Files.createDirectories(dir.resolve("reports"));
        for (SessionTrend t : trends) {
            try (OutputStream out = Files.newOutputStream(dir.resolve("reports").resolve(t.sessionId() + ".html"))) {
                ReportPages.session(s, s.resolve(t.sessionId()), out);
            }
        }
        Path file = dir.resolve("dashboard.html");
        try (OutputStream out = Files.newOutputStream(file)) {
            ReportPages.dashboard(trends, out, id -> "reports/" + id + ".html", "agent-trace dashboard");
        }
        try (Chromium browser = Chromium.launch(); Page p = browser.newPage().offline()) {
            p.open(file.toUri().toString());
            p.waitFor("document.body.dataset.ready");
            assertEquals("1", p.eval("document.body.dataset.ready").asText());
            JsonNode charts = p.eval("[...document.querySelectorAll('svg[data-chart]')].map(e => e.dataset.chart)");
            assertEquals("[\"cost\",\"errors\",\"loops\",\"trips\",\"files\",\"latency\",\"per-day\"]", charts.toString(), "one chart per trend");
            assertEquals("a0b0c0d0e0f00010", p.eval("document.querySelector('#drift li[data-metric=files_touched] a.sess').textContent").asText(),
                    "the run with thirty more calls is named in the drift list, linked to its report");
            assertEquals(trends.size(), p.eval("document.querySelectorAll('svg[data-chart=cost] rect.cbar').length").asInt(), "a cost bar per session");
            assertTrue(p.eval("document.querySelector('svg[data-chart=cost] path[stroke-dasharray]') !== null").asBoolean(), "the baseline line");
            assertEquals(trends.size(), p.eval("document.querySelectorAll('#sessions a.sess').length").asInt());
            p.screenshot(SessionReportPageTest.SHOTS.resolve("dashboard.png"));
            assertEquals(List.of(), p.errors());
            for (String url : p.requests()) {
                assertEquals(file.toUri().toString(), url);
            }
            // the last cost bar is the newest session: its report opens
            String newest = trends.get(trends.size() - 1).sessionId();
            p.eval("(() => { const bars = document.querySelectorAll('svg[data-chart=cost] rect.cbar'); bars[bars.length - 1].dispatchEvent(new MouseEvent('click', {bubbles: true})); })()");
            p.waitFor("location.href.endsWith('reports/" + newest + ".html') && document.body && document.body.dataset.ready === '1'");
            assertTrue(p.eval("document.getElementById('subtitle').textContent").asText().contains(newest));
            assertEquals(List.of(), p.errors());
        }
    }
}
