package dev.agenttrace.report.dashboard;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.agenttrace.report.html.SafeJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The data of the dashboard page: one object per session, oldest first, with the link to its
 * report, and the drift across them ({@link Drift}: the same numbers {@code agent-trace drift} prints).
 */
public final class DashboardPayload {
    private DashboardPayload() {
    }

    /**
     * The trends alone: their drift is computed over them, with {@code drift}'s defaults.
     *
     * @param reportHref the link to a session's report (relative to the dashboard), or null for none
     */
    public static byte[] json(List<SessionTrend> trends, Function<String, String> reportHref, String title) throws IOException {
        return json(Drift.compute(trends, Drift.DEFAULT_WINDOW, Drift.DEFAULT_FACTOR, trends.size()), reportHref, title);
    }

    /** @param reportHref the link to a session's report (relative to the dashboard), or null for none */
    public static byte[] json(DriftReport drift, Function<String, String> reportHref, String title) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096 + drift.sessions().size() * 512);
        try (JsonGenerator g = SafeJson.generator(out)) {
            g.writeStartObject();
            g.writeNumberField("v", 1);
            g.writeStringField("kind", "dashboard");
            g.writeStringField("title", title);
            g.writeArrayFieldStart("sessions");
            for (DriftReport.Row row : drift.sessions()) {
                SessionTrend t = row.trend();
                g.writeStartObject();
                g.writeStringField("id", t.sessionId());
                g.writeStringField("agent", t.agentName());
                if (t.startedAt() != null) {
                    g.writeNumberField("started_at", t.startedAt());
                }
                g.writeNumberField("duration_ms", t.durationMs());
                g.writeNumberField("cost_usd", t.costUsd());
                if (t.baselineUsd() != null) {
                    g.writeNumberField("baseline_usd", t.baselineUsd());
                }
                g.writeNumberField("tool_calls", t.toolCalls());
                g.writeNumberField("errors", t.errors());
                g.writeObjectFieldStart("error_kinds");
                for (Map.Entry<String, Long> k : t.errorKinds().entrySet()) {
                    g.writeNumberField(k.getKey(), k.getValue());
                }
                g.writeEndObject();
                g.writeNumberField("loops", t.loops());
                g.writeNumberField("retries", t.retries());
                g.writeNumberField("trips", t.trips());
                g.writeNumberField("blocked", t.blocked());
                g.writeObjectFieldStart("tool_p50_ms");
                for (Map.Entry<String, Double> k : t.toolP50Ms().entrySet()) {
                    g.writeNumberField(k.getKey(), Math.round(k.getValue() * 100) / 100.0);
                }
                g.writeEndObject();
                g.writeNumberField("tasks", t.tasks());
                g.writeNumberField("files_touched", t.filesTouched());
                g.writeNumberField("retries_per_task", Math.round(t.retriesPerTask() * 1000) / 1000.0);
                g.writeArrayFieldStart("tools");
                for (String tool : t.tools()) {
                    g.writeString(tool);
                }
                g.writeEndArray();
                Map<Drift.Metric, Double> base = row.baseline();
                if (base != null) {
                    g.writeObjectFieldStart("drift_baseline");
                    for (Map.Entry<Drift.Metric, Double> b : base.entrySet()) {
                        g.writeNumberField(b.getKey().wireName, Math.round(b.getValue() * 1000) / 1000.0);
                    }
                    g.writeEndObject();
                }
                String href = reportHref == null ? null : reportHref.apply(t.sessionId());
                if (href != null) {
                    g.writeStringField("href", href);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("drift_window", drift.window());
            g.writeNumberField("drift_factor", drift.factor());
            g.writeArrayFieldStart("drift");
            for (DriftReport.Change c : drift.changes()) {
                g.writeStartObject();
                g.writeStringField("id", c.trend().sessionId());
                g.writeStringField("metric", c.metric());
                g.writeStringField("direction", c.direction());
                if (c.value() != null) {
                    g.writeNumberField("value", Math.round(c.value() * 1000) / 1000.0);
                    g.writeNumberField("baseline", Math.round(c.baseline() * 1000) / 1000.0);
                }
                if (c.tool() != null) {
                    g.writeStringField("tool", c.tool());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return out.toByteArray();
    }
}
