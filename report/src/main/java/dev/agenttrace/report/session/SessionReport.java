package dev.agenttrace.report.session;

import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceStore;
import dev.agenttrace.store.analysis.AnalysisText;
import dev.agenttrace.store.analysis.SessionAnalyzer;
import dev.agenttrace.store.analysis.SessionSummary;
import java.util.ArrayList;
import java.util.List;

/**
 * What the report of one session shows: the analysis {@code explain} gives (the summary and its
 * text), and the waterfall (rows and marks) of the session and of the subagent sessions it
 * started. One pass over the events feeds both.
 *
 * @param children the subagent sessions whose calls are nested in the waterfall
 */
public record SessionReport(SessionMeta meta, SessionSummary summary, String story, CallRows.Result waterfall,
                            List<SessionMeta> children, List<String> warnings) {
    /** Subagent sessions deeper than this are left out of the waterfall (a delegation loop would never end). */
    static final int MAX_DEPTH = 8;

    public static SessionReport read(TraceStore store, SessionMeta meta) {
        return read(store, meta, store.listSessions());
    }

    /** @param all the store's sessions, where its subagent sessions are looked for (one listing for many reports) */
    public static SessionReport read(TraceStore store, SessionMeta meta, List<SessionMeta> all) {
        double origin = meta.startedAt != null ? meta.startedAt : Double.NaN;
        List<String> warnings = new ArrayList<>();
        SessionAnalyzer analyzer = new SessionAnalyzer(meta);
        // the origin may only be known at the first event (a meta without started_at)
        CallRows[] rows = {Double.isNaN(origin) ? null : new CallRows(origin)};
        warnings.addAll(store.forEachEvent(meta.sessionId, e -> {
            analyzer.accept(e);
            if (rows[0] == null) {
                rows[0] = new CallRows(e.timestamp());
            }
            rows[0].accept(e);
        }));
        if (rows[0] == null) {
            rows[0] = new CallRows(0);
        }
        SessionSummary summary = analyzer.finish(warnings);
        List<SessionMeta> children = new ArrayList<>();
        addChildren(store, all, meta.sessionId, 1, rows[0], children, warnings);
        return new SessionReport(meta, summary, AnalysisText.explain(summary), rows[0].finish(), List.copyOf(children),
                List.copyOf(warnings));
    }

    private static void addChildren(TraceStore store, List<SessionMeta> all, String parent, int depth, CallRows rows,
                                    List<SessionMeta> children, List<String> warnings) {
        if (depth > MAX_DEPTH) {
            return;
        }
        for (SessionMeta m : all) {
            if (parent.equals(m.parentSessionId) && !m.sessionId.equals(parent) && children.stream().noneMatch(c -> c.sessionId.equals(m.sessionId))) {
                children.add(m);
                rows.depthBase(depth);
                warnings.addAll(store.forEachEvent(m.sessionId, rows));
                addChildren(store, all, m.sessionId, depth + 1, rows, children, warnings);
            }
        }
        rows.depthBase(0);
    }
}
