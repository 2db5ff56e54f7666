package dev.agenttrace.store;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;

/**
 * The store's JSON codec, byte-compatible with what Python's {@code json.dumps} writes for
 * agent-strace, so a session written here and one written by Python look the same on disk, and a
 * Python file read and re-written here comes out byte for byte identical.
 *
 * <p>Why not Jackson's writer: agent-strace writes with {@code ensure_ascii=True} (every
 * non-ASCII character as a lowercase {@code \}{@code uXXXX} escape, astral characters as two
 * escaped surrogates), prints floats with Python's {@code repr} ({@code 5000.0},
 * {@code 1e-05}; see {@link PythonFloats}) and pretty-prints {@code meta.json} with
 * {@code indent=2} ({@code "key": value}, {@code {}} and {@code []} for empty containers, no
 * trailing newline). Jackson does none of these the same way.
 *
 * <p>Reading goes through {@link #mapper()}: floats become {@link BigDecimal} and integers beyond
 * {@code long} {@link java.math.BigInteger}, so a number inside {@code data} survives exactly
 * ({@code 1e400} does not turn into {@code Infinity}, {@code 1.0} stays {@code 1.0});
 * {@code NaN} and {@code Infinity}, which Python writes for non-finite floats, are accepted; a
 * line holding anything after its object (two writes that lost their newline) is rejected, not
 * half-read. Unknown fields are ignored, on events and on meta alike.
 */
public final class TraceJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private TraceJson() {
    }

    /**
     * The mapper every store reader uses (exact numbers, NaN accepted). Shared and thread-safe;
     * do not reconfigure it.
     */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    // ---------------------------------------------------------------- events

    /** One {@code events.ndjson} line, without the newline, exactly as Python would write it. */
    public static String eventLine(TraceEvent e) {
        StringBuilder sb = new StringBuilder(256);
        appendEvent(e, sb);
        return sb.toString();
    }

    /**
     * Appends the compact form of {@code e} (no newline). The output is pure ASCII, so its
     * {@code char}s are its bytes.
     */
    public static void appendEvent(TraceEvent e, StringBuilder out) {
        out.append('{');
        if (field(out, true, "event_type", e.eventType())) {
            out.append(',');
        }
        out.append("\"timestamp\":");
        PythonFloats.append(e.timestamp(), out);
        field(out, false, "event_id", e.eventId());
        field(out, false, "session_id", e.sessionId());
        field(out, false, "parent_id", e.parentId());
        if (e.durationMs() != null) {
            out.append(",\"duration_ms\":");
            PythonFloats.append(e.durationMs(), out);
        }
        out.append(",\"data\":");
        if (e.data() == null) {
            out.append("{}");
        } else {
            appendCompact(e.data(), out);
        }
        out.append('}');
    }

    /** Appends {@code "key":"value"} unless the value is null or "" (omitted, as Python does); true if written. */
    private static boolean field(StringBuilder out, boolean first, String key, String value) {
        if (value == null || value.isEmpty()) {
            return false;
        }
        if (!first) {
            out.append(',');
        }
        out.append('"').append(key).append("\":");
        appendString(value, out, true);
        return true;
    }

    /** Parses one line; throws if it is not JSON or not a trace event (no {@code event_type}). */
    public static TraceEvent parseEvent(String line) throws IOException {
        return toEvent(MAPPER.readTree(line));
    }

    /** Parses one line held in {@code buf[off, off+len)} (UTF-8). */
    public static TraceEvent parseEvent(byte[] buf, int off, int len) throws IOException {
        return toEvent(MAPPER.readTree(buf, off, len));
    }

    /** A trace event from a parsed object; unknown fields are ignored. */
    public static TraceEvent toEvent(JsonNode n) throws IOException {
        if (n == null || !n.isObject()) {
            throw new IOException("not a JSON object");
        }
        String type = text(n.get("event_type"));
        if (type == null || type.isEmpty()) {
            throw new IOException("no event_type");
        }
        JsonNode data = n.get("data");
        ObjectNode dataObj;
        if (data == null || data.isNull()) {
            dataObj = JsonNodeFactory.instance.objectNode();
        } else if (data.isObject()) {
            dataObj = (ObjectNode) data;
        } else {
            throw new IOException("data is " + data.getNodeType().name().toLowerCase() + ", not an object");
        }
        JsonNode ts = n.get("timestamp");
        JsonNode dur = n.get("duration_ms");
        return new TraceEvent(type, ts != null && ts.isNumber() ? ts.doubleValue() : 0.0,
                text(n.get("event_id")), text(n.get("session_id")), text(n.get("parent_id")),
                dur != null && dur.isNumber() ? Double.valueOf(dur.doubleValue()) : null, dataObj);
    }

    private static String text(JsonNode n) {
        if (n == null || n.isNull() || n.isContainerNode()) {
            return null;
        }
        return n.asText();
    }

    // ---------------------------------------------------------------- any JSON value

    /** Compact JSON of any value as {@code json.dumps(v, separators=(",", ":"))} prints it. */
    public static String compact(JsonNode n) {
        StringBuilder sb = new StringBuilder(128);
        appendCompact(n, sb);
        return sb.toString();
    }

    /** Appends the compact, ASCII-only form of {@code n}. */
    public static void appendCompact(JsonNode n, StringBuilder out) {
        write(n, out, true, Integer.MAX_VALUE);
    }

    /**
     * Compact JSON that keeps non-ASCII characters as they are (for previews people read), and
     * stops soon after {@code maxChars}: the caller cuts it to length.
     */
    static void appendReadable(JsonNode n, StringBuilder out, int maxChars) {
        write(n, out, false, maxChars);
    }

    private static void write(JsonNode n, StringBuilder out, boolean ascii, int limit) {
        if (out.length() > limit) {
            return;
        }
        if (n == null || n.isNull() || n.isMissingNode()) {
            out.append("null");
            return;
        }
        switch (n.getNodeType()) {
            case OBJECT: {
                out.append('{');
                boolean first = true;
                Iterator<Map.Entry<String, JsonNode>> it = n.properties().iterator();
                while (it.hasNext() && out.length() <= limit) {
                    Map.Entry<String, JsonNode> f = it.next();
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    appendString(f.getKey(), out, ascii);
                    out.append(':');
                    write(f.getValue(), out, ascii, limit);
                }
                out.append('}');
                return;
            }
            case ARRAY: {
                out.append('[');
                for (int i = 0; i < n.size() && out.length() <= limit; i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(n.get(i), out, ascii, limit);
                }
                out.append(']');
                return;
            }
            case STRING:
                appendString(n.textValue(), out, ascii);
                return;
            case BOOLEAN:
                out.append(n.booleanValue() ? "true" : "false");
                return;
            case NUMBER:
                appendNumber(n, out);
                return;
            case BINARY:
                try {
                    appendString(Base64.getEncoder().encodeToString(n.binaryValue()), out, ascii);
                } catch (IOException e) {
                    out.append("null");
                }
                return;
            case POJO:
                appendString(String.valueOf(n), out, ascii);
                return;
            default:
                out.append("null");
        }
    }

    private static void appendNumber(JsonNode n, StringBuilder out) {
        if (n.isIntegralNumber()) {
            if (n.canConvertToLong()) {
                out.append(n.longValue());
            } else {
                out.append(n.bigIntegerValue());
            }
        } else if (n.isBigDecimal()) {
            appendDecimal(n.decimalValue(), out);
        } else if (n.isFloat()) {
            // a float32 means its own shortest decimal, not the double it widens to
            PythonFloats.append(Double.parseDouble(Float.toString(n.floatValue())), out);
        } else {
            PythonFloats.append(n.doubleValue(), out);
        }
    }

    /**
     * A decimal read from a file: if it is exactly a double, print it as Python prints that
     * double (so Python's own floats come back byte for byte); otherwise (more digits than a
     * double holds, or out of range like {@code 1e400}) print the exact value.
     */
    private static void appendDecimal(BigDecimal v, StringBuilder out) {
        double d = v.doubleValue();
        if (!Double.isInfinite(d)) {
            String repr = PythonFloats.repr(d);
            if (new BigDecimal(repr).compareTo(v) == 0) {
                out.append(repr);
                return;
            }
        }
        String s = v.toString();
        out.append(s);
        if (s.indexOf('.') < 0 && s.indexOf('E') < 0) {
            // scale 0 from a float literal such as 1e2 stripped elsewhere: keep it a float
            out.append(".0");
        }
    }

    /**
     * Appends a JSON string literal. With {@code ascii}, escapes as Python's {@code ensure_ascii}
     * does: {@code \" \\ \n \r \t \b \f}, and {@code \}{@code u00XX} (lowercase hex) for every
     * other character outside space..tilde, DEL included.
     */
    static void appendString(String s, StringBuilder out, boolean ascii) {
        out.append('"');
        int len = s.length();
        int start = 0;
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c >= ' ' && c <= '~' && c != '"' && c != '\\') {
                continue;
            }
            if (!ascii && c > '~' && c != 0x7f) {
                continue;
            }
            out.append(s, start, i);
            start = i + 1;
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                case '\b':
                    out.append("\\b");
                    break;
                case '\f':
                    out.append("\\f");
                    break;
                default:
                    out.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf])
                            .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
            }
        }
        out.append(s, start, len);
        out.append('"');
    }

    // ---------------------------------------------------------------- meta.json

    /**
     * {@code meta.json} as {@code json.dumps(indent=2)} prints agent-strace's {@code SessionMeta}:
     * null, "" and numeric zero fields omitted (Python drops them), {@code attribution} kept even
     * when empty, no trailing newline.
     */
    public static String metaJson(SessionMeta m) {
        StringBuilder sb = new StringBuilder(512);
        sb.append('{');
        boolean[] first = {true};
        metaText(sb, first, "session_id", m.sessionId);
        metaFloat(sb, first, "started_at", m.startedAt);
        metaFloat(sb, first, "ended_at", m.endedAt);
        metaText(sb, first, "agent_name", m.agentName);
        metaText(sb, first, "command", m.command);
        metaLong(sb, first, "tool_calls", m.toolCalls);
        metaLong(sb, first, "llm_requests", m.llmRequests);
        metaLong(sb, first, "errors", m.errors);
        metaLong(sb, first, "total_tokens", m.totalTokens);
        metaFloat(sb, first, "total_duration_ms", m.totalDurationMs);
        metaText(sb, first, "parent_session_id", m.parentSessionId);
        metaText(sb, first, "parent_event_id", m.parentEventId);
        metaLong(sb, first, "depth", m.depth);
        if (m.attribution != null) {
            metaKey(sb, first, "attribution");
            writePretty(m.attribution, sb, 1);
        }
        sb.append(first[0] ? "}" : "\n}");
        return sb.toString();
    }

    /** Reads {@code meta.json}; unknown keys are ignored, missing ones stay at their defaults. */
    public static SessionMeta parseMeta(byte[] json) throws IOException {
        return toMeta(MAPPER.readTree(json));
    }

    /** Reads {@code meta.json} text. */
    public static SessionMeta parseMeta(String json) throws IOException {
        return toMeta(MAPPER.readTree(json));
    }

    private static SessionMeta toMeta(JsonNode n) throws IOException {
        if (n == null || !n.isObject()) {
            throw new IOException("not a JSON object");
        }
        SessionMeta m = new SessionMeta();
        m.sessionId = text(n.get("session_id"));
        m.startedAt = number(n.get("started_at"));
        m.endedAt = number(n.get("ended_at"));
        m.agentName = text(n.get("agent_name"));
        m.command = text(n.get("command"));
        m.toolCalls = n.path("tool_calls").asLong(0);
        m.llmRequests = n.path("llm_requests").asLong(0);
        m.errors = n.path("errors").asLong(0);
        m.totalTokens = n.path("total_tokens").asLong(0);
        Double total = number(n.get("total_duration_ms"));
        m.totalDurationMs = total == null ? 0 : total;
        m.parentSessionId = text(n.get("parent_session_id"));
        m.parentEventId = text(n.get("parent_event_id"));
        m.depth = n.path("depth").asInt(0);
        JsonNode a = n.get("attribution");
        m.attribution = a != null && a.isObject() ? (ObjectNode) a : JsonNodeFactory.instance.objectNode();
        return m;
    }

    private static Double number(JsonNode n) {
        return n != null && n.isNumber() ? n.doubleValue() : null;
    }

    private static void metaKey(StringBuilder sb, boolean[] first, String key) {
        sb.append(first[0] ? "\n  " : ",\n  ");
        first[0] = false;
        appendString(key, sb, true);
        sb.append(": ");
    }

    private static void metaText(StringBuilder sb, boolean[] first, String key, String v) {
        if (v != null && !v.isEmpty()) {
            metaKey(sb, first, key);
            appendString(v, sb, true);
        }
    }

    private static void metaFloat(StringBuilder sb, boolean[] first, String key, Double v) {
        if (v != null && v != 0) {
            metaKey(sb, first, key);
            PythonFloats.append(v, sb);
        }
    }

    private static void metaLong(StringBuilder sb, boolean[] first, String key, long v) {
        if (v != 0) {
            metaKey(sb, first, key);
            sb.append(v);
        }
    }

    /** {@code json.dumps(indent=2)} of a nested value whose opening sits at {@code depth}. */
    private static void writePretty(JsonNode n, StringBuilder sb, int depth) {
        if (n != null && n.isObject() && n.size() > 0) {
            sb.append('{');
            boolean first = true;
            Iterator<Map.Entry<String, JsonNode>> it = n.properties().iterator();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> f = it.next();
                sb.append(first ? "\n" : ",\n");
                first = false;
                indent(sb, depth + 1);
                appendString(f.getKey(), sb, true);
                sb.append(": ");
                writePretty(f.getValue(), sb, depth + 1);
            }
            sb.append('\n');
            indent(sb, depth);
            sb.append('}');
        } else if (n != null && n.isArray() && n.size() > 0) {
            sb.append('[');
            for (int i = 0; i < n.size(); i++) {
                sb.append(i == 0 ? "\n" : ",\n");
                indent(sb, depth + 1);
                writePretty(n.get(i), sb, depth + 1);
            }
            sb.append('\n');
            indent(sb, depth);
            sb.append(']');
        } else {
            write(n, sb, true, Integer.MAX_VALUE);
        }
    }

    private static void indent(StringBuilder sb, int depth) {
        for (int i = 0; i < depth; i++) {
            sb.append("  ");
        }
    }

    /** The ASCII text's bytes (every char of our output is below 0x80). */
    static byte[] asciiBytes(CharSequence s) {
        return s.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
