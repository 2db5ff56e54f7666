package dev.agenttrace.store.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.TraceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one event says, whoever wrote it: the stdio proxy (MCP {@code tools/call}, {@code
 * resources/read} with a {@code uri}), Claude Code hooks ({@code Read}/{@code Write}/{@code Edit}/
 * {@code Bash} with {@code file_path}/{@code command}), the reference filesystem server
 * ({@code read_file}/{@code write_file} with {@code path}), the Python decorator and JSONL import.
 * agent-strace's MCP server looked for {@code data.file_path} on file events and {@code
 * data.exit_code} on tool results, which no producer writes, so its filters never matched.
 */
public final class EventFacts {
    /** Argument keys that hold a path, in the tools agents use. */
    private static final List<String> PATH_KEYS = List.of("file_path", "path", "uri", "notebook_path", "filePath",
            "source", "destination", "target_file");
    private static final Set<String> WRITE_TOOLS = Set.of("write", "edit", "multiedit", "create", "notebookedit",
            "str_replace", "str_replace_editor", "write_file", "edit_file", "create_file", "create_directory",
            "move_file", "apply_patch");
    private static final Pattern EXIT_TEXT = Pattern.compile("(?i)\\bexit(?:ed with)?(?: code|_code| status)?[ :=]+(-?\\d{1,3})\\b");

    private EventFacts() {
    }

    /** The tool an event is about ({@code data.tool_name}), or null. */
    public static String toolName(TraceEvent e) {
        return text(e.data(), "tool_name");
    }

    /**
     * Paths an event touches: {@code uri}/{@code file_path}/{@code path} of file events and of
     * results, and the path arguments of a tool call ({@code paths[]} too). {@code file://} is
     * removed so a URI and a plain path compare.
     */
    public static List<String> paths(TraceEvent e) {
        List<String> out = new ArrayList<>(2);
        JsonNode d = e.data();
        if (d == null) {
            return out;
        }
        for (String k : PATH_KEYS) {
            add(out, d.get(k));
        }
        JsonNode args = d.get("arguments");
        if (args != null && args.isObject()) {
            for (String k : PATH_KEYS) {
                add(out, args.get(k));
            }
            JsonNode many = args.get("paths");
            if (many != null && many.isArray()) {
                for (JsonNode p : many) {
                    add(out, p);
                }
            }
        }
        return out;
    }

    private static void add(List<String> out, JsonNode v) {
        if (v != null && v.isTextual() && !v.textValue().isBlank()) {
            String p = stripScheme(v.textValue());
            if (!out.contains(p)) {
                out.add(p);
            }
        }
    }

    /** {@code file:///a/b} as {@code /a/b}; anything else unchanged. */
    public static String stripScheme(String p) {
        return p.startsWith("file://") ? p.substring("file://".length()) : p;
    }

    /** True for a write: a {@code file_write} event, or a call of a tool that writes files. */
    public static boolean isWrite(TraceEvent e) {
        if (EventTypes.FILE_WRITE.equals(e.eventType())) {
            return true;
        }
        String tool = toolName(e);
        return EventTypes.TOOL_CALL.equals(e.eventType()) && tool != null
                && WRITE_TOOLS.contains(tool.toLowerCase(Locale.ROOT));
    }

    /**
     * A failure: an {@code error} event (a cancellation is not one), or a tool result flagged
     * {@code is_error} (MCP {@code isError:true}, which agent-strace logged as a success).
     */
    public static boolean isError(TraceEvent e) {
        JsonNode d = e.data();
        if (EventTypes.ERROR.equals(e.eventType())) {
            return d == null || !d.path("cancelled").asBoolean(false);
        }
        if (EventTypes.TOOL_RESULT.equals(e.eventType()) && d != null) {
            return d.path("is_error").asBoolean(false) || d.path("isError").asBoolean(false);
        }
        return false;
    }

    /** The failure's message (proxy {@code message}, hooks {@code error}, a failed result's preview), or null. */
    public static String errorMessage(TraceEvent e) {
        JsonNode d = e.data();
        String m = text(d, "message");
        if (m == null) {
            m = text(d, "error");
        }
        if (m == null) {
            m = text(d, "content_preview");
        }
        if (m == null && d != null && d.get("result") != null && d.get("result").isTextual()) {
            m = d.get("result").textValue();
        }
        return m;
    }

    /**
     * The exit code an event carries, or null: {@code session_end.exit_code} (the server's), an
     * {@code exit_code}/{@code exitCode} in the data or in a tool's structured result, or the
     * "Exit code N" text Claude Code puts in a failed Bash call's error.
     */
    public static Integer exitCode(TraceEvent e) {
        JsonNode d = e.data();
        if (d == null) {
            return null;
        }
        Integer n = intOf(d, "exit_code", "exitCode");
        if (n != null) {
            return n;
        }
        JsonNode r = d.get("result");
        if (r != null && r.isObject()) {
            n = intOf(r, "exit_code", "exitCode");
            if (n == null && r.get("structuredContent") != null) {
                n = intOf(r.get("structuredContent"), "exit_code", "exitCode");
            }
            if (n != null) {
                return n;
            }
        }
        if (EventTypes.ERROR.equals(e.eventType()) || EventTypes.TOOL_RESULT.equals(e.eventType())) {
            String text = text(d, "error");
            if (text == null) {
                text = text(d, "content_preview");
            }
            if (text == null && r != null && r.isTextual()) {
                text = r.textValue();
            }
            if (text != null) {
                Matcher m = EXIT_TEXT.matcher(text.length() > 200 ? text.substring(0, 200) : text);
                if (m.find()) {
                    return Integer.valueOf(m.group(1));
                }
            }
        }
        return null;
    }

    private static Integer intOf(JsonNode n, String a, String b) {
        JsonNode v = n.get(a);
        if (v == null || !v.canConvertToInt()) {
            v = n.get(b);
        }
        return v != null && v.isIntegralNumber() && v.canConvertToInt() ? v.intValue() : null;
    }

    static String text(JsonNode d, String key) {
        if (d == null) {
            return null;
        }
        JsonNode v = d.get(key);
        return v != null && v.isTextual() && !v.textValue().isEmpty() ? v.textValue() : null;
    }

    /** A call's identity for retry detection and divergence: tool name plus its arguments as JSON. */
    public static String callSignature(TraceEvent e) {
        JsonNode d = e.data();
        JsonNode args = d == null ? null : d.get("arguments");
        String tool = toolName(e);
        return (tool == null ? "?" : tool) + " " + (args == null ? "{}" : args.toString());
    }
}
