package dev.agenttrace.report.session;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.agenttrace.report.html.SafeJson;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The data of a report page, as the page's script reads it. Rows are columns (one array per
 * field, tool names as indexes into {@code tools}): a 100,000-event session parses in a few
 * hundred milliseconds and compresses well.
 */
public final class ReportPayload {
    private ReportPayload() {
    }

    public static byte[] json(SessionReport r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024 + r.waterfall().rows().size() * 200);
        try (JsonGenerator g = SafeJson.generator(out)) {
            g.writeStartObject();
            g.writeNumberField("v", 1);
            g.writeStringField("kind", "session");
            g.writeFieldName("session");
            session(g, r.meta());
            g.writeFieldName("summary");
            TraceJson.mapper().writeTree(g, r.summary().toJson());
            g.writeStringField("story", r.story());
            CallRows.Result w = r.waterfall();
            g.writeNumberField("end_ms", Math.max(w.endMs(), r.summary().durationMs()));
            rows(g, w.rows());
            g.writeArrayFieldStart("marks");
            for (Mark m : w.marks()) {
                g.writeStartArray();
                g.writeNumber(ms(m.atMs()));
                g.writeString(m.kind());
                g.writeString(m.choice());
                g.writeString(m.rule());
                g.writeString(m.reason());
                g.writeString(m.tool());
                g.writeNumber(m.row());
                g.writeString(m.eventId());
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("children");
            for (SessionMeta c : r.children()) {
                g.writeStartObject();
                g.writeStringField("id", c.sessionId);
                g.writeStringField("agent", c.agentName);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("warnings");
            for (String s : r.warnings().subList(0, Math.min(20, r.warnings().size()))) {
                g.writeString(s);
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    static void session(JsonGenerator g, SessionMeta m) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", m.sessionId);
        g.writeStringField("agent", m.agentName);
        g.writeStringField("command", m.command);
        if (m.startedAt != null) {
            g.writeNumberField("started_at", m.startedAt);
        }
        if (m.endedAt != null) {
            g.writeNumberField("ended_at", m.endedAt);
        }
        if (m.attribution != null) {
            for (String k : List.of("working_dir", "git_branch", "hostname", "mcp_protocol_version")) {
                if (m.attribution.hasNonNull(k) && m.attribution.get(k).isValueNode()) {
                    g.writeStringField(k, m.attribution.get(k).asText());
                }
            }
        }
        if (m.parentSessionId != null) {
            g.writeStringField("parent_session_id", m.parentSessionId);
        }
        g.writeEndObject();
    }

    private static void rows(JsonGenerator g, List<Row> rows) throws IOException {
        Map<String, Integer> toolIndex = new HashMap<>();
        int[] tool = new int[rows.size()];
        g.writeArrayFieldStart("tools");
        for (Row r : rows) {
            Integer i = toolIndex.get(r.tool);
            if (i == null) {
                i = toolIndex.size();
                toolIndex.put(r.tool, i);
                g.writeString(r.tool);
            }
            tool[r.index] = i;
        }
        g.writeEndArray();
        g.writeObjectFieldStart("rows");
        g.writeArrayFieldStart("t");
        for (Row r : rows) {
            g.writeNumber(ms(r.startMs));
        }
        g.writeEndArray();
        g.writeArrayFieldStart("d");
        for (Row r : rows) {
            g.writeNumber(r.durationMs < 0 ? -1 : ms(r.durationMs));
        }
        g.writeEndArray();
        g.writeFieldName("k");
        g.writeArray(tool, 0, tool.length);
        g.writeArrayFieldStart("f");
        for (Row r : rows) {
            g.writeNumber(r.flags);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("z");
        for (Row r : rows) {
            g.writeNumber(r.depth);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("id");
        for (Row r : rows) {
            g.writeString(r.eventId);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("a");
        for (Row r : rows) {
            g.writeString(r.arguments);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("r");
        for (Row r : rows) {
            g.writeString(r.result);
        }
        g.writeEndArray();
        g.writeObjectFieldStart("rule"); // sparse: few calls have one
        for (Row r : rows) {
            if (r.rule != null) {
                g.writeStringField(Integer.toString(r.index), r.rule);
            }
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    /** Milliseconds to a hundredth: enough for a picture, and short in the file. */
    static double ms(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
