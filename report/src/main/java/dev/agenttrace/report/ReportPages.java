package dev.agenttrace.report;

import dev.agenttrace.report.dashboard.DashboardPayload;
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

    private ReportPages() {
    }

    /**
     * The report of one session.
     *
     * @param feedUrl a same-origin URL of server-sent events ({@link dev.agenttrace.report.session.LiveFeed}) the page
     *                applies as they arrive, or null for a file that never connects anywhere
     */
    public static void session(TraceStore store, SessionMeta meta, OutputStream out, String feedUrl) throws IOException {
        session(SessionReport.read(store, meta), out, feedUrl);
    }

    public static void session(SessionReport report, OutputStream out, String feedUrl) throws IOException {
        String who = report.meta().agentName != null ? report.meta().agentName : report.meta().command != null ? report.meta().command : "session";
        HtmlPage.write(out, "agent-trace · " + who + " · " + report.meta().sessionId, "report.html", SESSION_SCRIPTS,
                ReportPayload.json(report), feedUrl);
    }

    /**
     * The dashboard: trends across sessions ({@link dev.agenttrace.report.dashboard.Trends#read}).
     *
     * @param reportHref a session's report, relative to the dashboard ({@code reports/ID.html} from the
     *                   command, {@code /sessions/ID} from a server), or null for no links
     */
    public static void dashboard(List<SessionTrend> trends, OutputStream out, Function<String, String> reportHref, String title)
            throws IOException {
        HtmlPage.write(out, title, "dashboard.html", DASHBOARD_SCRIPTS, DashboardPayload.json(trends, reportHref, title), null);
    }
}
