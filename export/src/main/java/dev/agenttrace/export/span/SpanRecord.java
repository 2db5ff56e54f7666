package dev.agenttrace.export.span;

import java.util.List;
import java.util.Map;

/**
 * One span, as the live export and {@code agent-trace export} both emit it: free of
 * OpenTelemetry types, so the file formats (json, ndjson, csv) need no SDK and the OTLP path
 * converts it in one place ({@code otlp.SpanDataAdapter}).
 *
 * @param traceId     32 hex, derived from the session id (see {@link SpanIds})
 * @param spanId      16 hex, derived from the session and event ids
 * @param parentSpanId 16 hex, or null for the session span
 * @param attributes  values are String, Long, Double or Boolean; insertion order kept
 * @param error       null when the span succeeded, else the status description
 */
public record SpanRecord(String traceId, String spanId, String parentSpanId, String name, Kind kind,
                         long startEpochNanos, long endEpochNanos, Map<String, Object> attributes,
                         String error, List<Event> events) {

    public enum Kind { INTERNAL, CLIENT, SERVER }

    /** A span event (a decision that is not a span of its own, a cancel). */
    public record Event(String name, long epochNanos, Map<String, Object> attributes) {
    }

    public double durationSeconds() {
        return Math.max(0, endEpochNanos - startEpochNanos) / 1e9;
    }

    public String attribute(String key) {
        Object v = attributes.get(key);
        return v == null ? null : v.toString();
    }
}
