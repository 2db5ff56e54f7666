package dev.agenttrace.report;

import dev.agenttrace.report.dashboard.DashboardPayload;
import dev.agenttrace.report.dashboard.DriftReport;
import dev.agenttrace.report.dashboard.SessionTrend;
import dev.agenttrace.report.html.HtmlPage;
import dev.agenttrace.report.session.ReportPayload;
import dev.agenttrace.report.session.SessionReport;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceStore;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.function.Function;

/**
 * The pages: what {@code agent-trace report} writes to a file, and what {@code serve} can answer
 * a GET with ({@link #session} with a feed URL makes the page follow the session live).
 */
public final class ReportPages {
    private static final String[] SESSION_SCRIPTS = {"common.js", "report.js"};
    private static final String[] DASHBOARD_SCRIPTS = {"common.js", "dashboard.js"};
    private static final String[] LIVE_SCRIPTS = {"common.js", "live.js"};

    private ReportPages() {
    }

    /** The report of one session, as a file: it never connects anywhere. */
    public static void session(TraceStore store, SessionMeta meta, OutputStream out) throws IOException {
        session(SessionReport.read(store, meta), out, null);
    }

    /** The report of one session, live when {@code live} (null for none) says where its feed and controls are. */
    public static void session(TraceStore store, SessionMeta meta, OutputStream out, Live live) throws IOException {
        session(SessionReport.read(store, meta), out, live);
    }

    public static void session(SessionReport report, OutputStream out, Live live) throws IOException {
        String who = report.meta().agentName != null ? report.meta().agentName : report.meta().command != null ? report.meta().command : "session";
        HtmlPage.write(out, "agent-trace · " + who + " · " + report.meta().sessionId, "report.html", SESSION_SCRIPTS,
                ReportPayload.json(report), live == null ? null : live.feedUrl(), live == null ? null : live.controlUrl());
    }

    /**
     * What a page served by {@code agent-trace serve} connects to; both same-origin paths.
     *
     * @param feedUrl    server-sent events from {@link dev.agenttrace.report.session.LiveFeed}, or null
     * @param controlUrl the page POSTs {@code {"session_id": ...}} to {@code controlUrl + "/pause"},
     *                   {@code "/resume"} and {@code "/stop"} and shows the answer's {@code message}; or null for no buttons
     */
    public record Live(String feedUrl, String controlUrl) {
    }

    /**
     * The dashboard: trends across sessions ({@link dev.agenttrace.report.dashboard.Trends#read}).
     *
     * @param reportHref a session's report, relative to the dashboard ({@code reports/ID.html} from the
     *                   command, {@code /sessions/ID} from a server), or null for no links
     */
    public static void dashboard(List<SessionTrend> trends, OutputStream out, Function<String, String> reportHref, String title)
            throws IOException {
        HtmlPage.write(out, title, "dashboard.html", DASHBOARD_SCRIPTS, DashboardPayload.json(trends, reportHref, title), null, null);
    }

    /** The dashboard of {@link dev.agenttrace.report.dashboard.Drift#compute}'s sessions, with their drift: what {@code agent-trace drift} prints. */
    public static void dashboard(DriftReport drift, OutputStream out, Function<String, String> reportHref, String title) throws IOException {
        HtmlPage.write(out, title, "dashboard.html", DASHBOARD_SCRIPTS, DashboardPayload.json(drift, reportHref, title), null, null);
    }

    /**
     * {@code serve}'s live view: the sessions {@code board} shows now, kept up to date by the
     * board's frames at {@code feedUrl}; each row's buttons POST to {@code controlUrl + "/pause"},
     * {@code "/resume"} and {@code "/stop"} (null for no buttons).
     */
    public static void live(dev.agenttrace.report.live.LiveBoard board, OutputStream out, String feedUrl, String controlUrl) throws IOException {
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream(4096);
        data.write("{\"sessions\":[".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        boolean first = true;
        for (String frame : board.current()) {
            if (!first) {
                data.write(',');
            }
            first = false;
            data.write(frame.substring("data: ".length(), frame.length() - 2).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        data.write("],\"stores\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        try (com.fasterxml.jackson.core.JsonGenerator g = dev.agenttrace.report.html.SafeJson.generator(data)) {
            g.writeStartArray();
            for (TraceStore s : board.stores()) {
                g.writeString(s.dir().toString());
            }
            g.writeEndArray();
        }
        data.write('}');
        HtmlPage.write(out, "agent-trace · live", "live.html", LIVE_SCRIPTS, data.toByteArray(), feedUrl, controlUrl);
    }
}
