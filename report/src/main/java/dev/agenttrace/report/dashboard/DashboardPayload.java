package dev.agenttrace.report.dashboard;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.agenttrace.report.html.SafeJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The data of the dashboard page: one object per session, oldest first, with the link to its report. */
public final class DashboardPayload {
    private DashboardPayload() {
    }

    /** @param reportHref the link to a session's report (relative to the dashboard), or null for none */
    public static byte[] json(List<SessionTrend> trends, Function<String, String> reportHref, String title) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096 + trends.size() * 512);
        try (JsonGenerator g = SafeJson.generator(out)) {
            g.writeStartObject();
            g.writeNumberField("v", 1);
            g.writeStringField("kind", "dashboard");
            g.writeStringField("title", title);
            g.writeArrayFieldStart("sessions");
            for (SessionTrend t : trends) {
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
                String href = reportHref == null ? null : reportHref.apply(t.sessionId());
                if (href != null) {
                    g.writeStringField("href", href);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return out.toByteArray();
    }
}
