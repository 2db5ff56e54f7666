package dev.agenttrace.export.file;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.export.span.Semconv;
import dev.agenttrace.export.span.SpanRecord;
import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Map;

/** The file formats of {@code agent-trace export}: json (one document), ndjson (a span a line), csv. */
public final class SpanFormats {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SpanFormats() {
    }

    public static ObjectNode json(SpanRecord s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("trace_id", s.traceId());
        n.put("span_id", s.spanId());
        if (s.parentSpanId() != null) {
            n.put("parent_span_id", s.parentSpanId());
        }
        n.put("name", s.name());
        n.put("kind", s.kind().name());
        n.put("start_time_unix_nano", s.startEpochNanos());
        n.put("end_time_unix_nano", s.endEpochNanos());
        n.put("status", s.error() == null ? "UNSET" : "ERROR");
        if (s.error() != null) {
            n.put("status_message", s.error());
        }
        n.set("attributes", JSON.valueToTree(s.attributes()));
        if (!s.events().isEmpty()) {
            var arr = n.putArray("events");
            for (SpanRecord.Event e : s.events()) {
                ObjectNode en = arr.addObject();
                en.put("name", e.name());
                en.put("time_unix_nano", e.epochNanos());
                en.set("attributes", JSON.valueToTree(e.attributes()));
            }
        }
        return n;
    }

    public static void writeJson(List<SpanRecord> spans, Writer out) throws IOException {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("semconv_version", Semconv.VERSION);
        var arr = doc.putArray("spans");
        spans.forEach(s -> arr.add(json(s)));
        out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        out.write('\n');
    }

    public static void writeNdjson(List<SpanRecord> spans, Writer out) throws IOException {
        for (SpanRecord s : spans) {
            out.write(JSON.writeValueAsString(json(s)));
            out.write('\n');
        }
    }

    static final List<String> CSV_COLUMNS = List.of("trace_id", "span_id", "parent_span_id", "name", "kind", "start_time_unix_nano",
            "duration_ms", "status", Semconv.MCP_METHOD_NAME, Semconv.GEN_AI_TOOL_NAME, Semconv.ERROR_TYPE, Semconv.ERROR_KIND,
            Semconv.SESSION_ID, "attributes");

    public static void writeCsv(List<SpanRecord> spans, Writer out) throws IOException {
        out.write(String.join(",", CSV_COLUMNS));
        out.write('\n');
        for (SpanRecord s : spans) {
            Map<String, Object> a = s.attributes();
            String session = s.parentSpanId() == null ? s.attribute(Semconv.SESSION_ID) : null;
            List<String> row = List.of(s.traceId(), s.spanId(), s.parentSpanId() == null ? "" : s.parentSpanId(), s.name(),
                    s.kind().name(), Long.toString(s.startEpochNanos()),
                    Double.toString(Math.round(s.durationSeconds() * 1e6) / 1e3), s.error() == null ? "UNSET" : "ERROR",
                    str(a.get(Semconv.MCP_METHOD_NAME)), str(a.get(Semconv.GEN_AI_TOOL_NAME)), str(a.get(Semconv.ERROR_TYPE)),
                    str(a.get(Semconv.ERROR_KIND)), session == null ? "" : session, JSON.writeValueAsString(a));
            for (int i = 0; i < row.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                out.write(csv(row.get(i)));
            }
            out.write('\n');
        }
    }

    private static String str(Object o) {
        return o == null ? "" : o.toString();
    }

    /** RFC 4180 quoting; a leading = + - @ is prefixed with ' so a spreadsheet does not run it as a formula. */
    static String csv(String v) {
        String s = !v.isEmpty() && "=+-@".indexOf(v.charAt(0)) >= 0 && !v.matches("-?[0-9.]+") ? "'" + v : v;
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }
}
