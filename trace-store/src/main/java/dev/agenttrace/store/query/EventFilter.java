package dev.agenttrace.store.query;

import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.analysis.EventFacts;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What {@code search_events} looks for; every field is optional and all given ones must hold.
 *
 * @param toolName   case-insensitive substring of the tool an event names ({@code data.tool_name}),
 *                   or of the call it answers: agent-strace's proxy writes results and errors
 *                   without a tool name, linked to their call by {@code parent_id} or
 *                   {@code data.request_id} (see {@link ToolLinks})
 * @param filePath   substring of a path the event touches (proxy {@code uri}s, hook and filesystem
 *                   server {@code file_path}/{@code path} arguments; {@code file://} ignored)
 * @param exitCode   the exit code the event carries ({@link EventFacts#exitCode})
 * @param hasError   true: failures only; false: no failures
 * @param query      case-insensitive text anywhere in the event's data (or its type)
 * @param eventTypes event types to keep (empty: all)
 * @param since      epoch seconds, inclusive
 * @param until      epoch seconds, inclusive
 */
public record EventFilter(String toolName, String filePath, Integer exitCode, Boolean hasError, String query,
                          Set<String> eventTypes, Double since, Double until) {

    public EventFilter {
        toolName = blankToNull(toolName);
        filePath = blankToNull(filePath);
        query = blankToNull(query);
        eventTypes = eventTypes == null ? Set.of() : Set.copyOf(eventTypes);
    }

    public static EventFilter none() {
        return new EventFilter(null, null, null, null, null, Set.of(), null, null);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** Whether one event passes, judged alone (a result that names no tool never matches a tool name). */
    public boolean matches(TraceEvent e) {
        return matches(e, null);
    }

    /**
     * Whether one event passes; {@code links} (the calls seen so far in the session, or null)
     * names the tool of a result or error that does not name it itself.
     */
    public boolean matches(TraceEvent e, ToolLinks links) {
        if (!eventTypes.isEmpty() && !eventTypes.contains(e.eventType())) {
            return false;
        }
        if (since != null && e.timestamp() < since || until != null && e.timestamp() > until) {
            return false;
        }
        if (toolName != null) {
            String t = links == null ? EventFacts.toolName(e) : links.toolOf(e);
            if (t == null || !t.toLowerCase(Locale.ROOT).contains(toolName.toLowerCase(Locale.ROOT))) {
                return false;
            }
        }
        if (filePath != null) {
            String needle = EventFacts.stripScheme(filePath);
            if (EventFacts.paths(e).stream().noneMatch(p -> p.contains(needle))) {
                return false;
            }
        }
        if (exitCode != null && !exitCode.equals(EventFacts.exitCode(e))) {
            return false;
        }
        if (hasError != null && hasError != EventFacts.isError(e)) {
            return false;
        }
        if (query != null) {
            String q = query.toLowerCase(Locale.ROOT);
            String data = e.data() == null ? "" : e.data().toString().toLowerCase(Locale.ROOT);
            return data.contains(q) || e.eventType() != null && e.eventType().contains(q);
        }
        return true;
    }

    /** Whether a session the index describes could hold a match (false only when it surely cannot). */
    boolean mayMatch(SessionEntry s) {
        if (s.unindexed) {
            return true;
        }
        if (!eventTypes.isEmpty() && eventTypes.stream().noneMatch(s.types::contains)) {
            return false;
        }
        if (s.events == 0) {
            return false;
        }
        if (since != null && !Double.isNaN(s.maxTs) && s.maxTs < since || until != null && !Double.isNaN(s.minTs) && s.minTs > until) {
            return false;
        }
        if (toolName != null && s.toolsComplete) {
            String t = toolName.toLowerCase(Locale.ROOT);
            if (s.tools.stream().noneMatch(x -> x.contains(t))) {
                return false;
            }
        }
        if (filePath != null && s.pathsComplete) {
            String needle = EventFacts.stripScheme(filePath);
            if (s.paths.stream().noneMatch(p -> p.contains(needle))) {
                return false;
            }
        }
        if (exitCode != null && s.codesComplete && !s.exitCodes.contains(exitCode)) {
            return false;
        }
        return !Boolean.TRUE.equals(hasError) || s.errors > 0;
    }

    /**
     * A test on a line's raw bytes that every matching line passes: the ASCII needles it must
     * contain (case-insensitively). Lines that fail it are never parsed, which is what makes a
     * search over a million events fast. A needle that JSON could escape is not used.
     */
    RawNeedles needles() {
        List<byte[]> out = new ArrayList<>();
        addNeedle(out, query);
        List<byte[]> tool = new ArrayList<>(1);
        addNeedle(tool, toolName);
        addNeedle(out, filePath == null ? null : EventFacts.stripScheme(filePath));
        if (eventTypes.size() == 1) {
            addNeedle(out, "\"" + eventTypes.iterator().next() + "\"");
        }
        if (Boolean.TRUE.equals(hasError)) {
            addNeedle(out, "error");
        }
        if (exitCode != null) {
            addNeedle(out, "exit");
            addNeedle(out, String.valueOf(Math.abs(exitCode)));
        }
        return new RawNeedles(out, tool.isEmpty() ? null : tool.get(0));
    }

    private static void addNeedle(List<byte[]> out, String s) {
        if (s == null) {
            return;
        }
        String inner = s.startsWith("\"") && s.endsWith("\"") && s.length() > 2 ? s.substring(1, s.length() - 1) : s;
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return; // could be escaped on disk: not a safe necessary condition
            }
        }
        out.add(s.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Lowercase ASCII needles, all of which a line must contain; and the tool name, which a line
     * must contain unless it names no tool at all (a result that only links to its call).
     */
    record RawNeedles(List<byte[]> needles, byte[] tool) {
        private static final byte[] TOOL_KEY = "\"tool_name\"".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] CALL = "\"tool_call\"".getBytes(StandardCharsets.US_ASCII);

        boolean none() {
            return needles.isEmpty() && tool == null;
        }

        boolean accept(byte[] buf, int off, int len) {
            boolean namesTool = tool != null && contains(buf, off, len, tool);
            if (namesTool && contains(buf, off, len, CALL)) {
                return true; // a call of the tool: read even if it fails the rest, its results link to it
            }
            for (byte[] n : needles) {
                if (!contains(buf, off, len, n)) {
                    return false;
                }
            }
            return tool == null || namesTool || !contains(buf, off, len, TOOL_KEY);
        }

        static boolean contains(byte[] b, int off, int len, byte[] n) {
            int last = off + len - n.length;
            byte first = n[0];
            byte firstUpper = first >= 'a' && first <= 'z' ? (byte) (first - 32) : first;
            outer:
            for (int i = off; i <= last; i++) {
                byte c = b[i];
                if (c != first && c != firstUpper) {
                    continue;
                }
                for (int j = 1; j < n.length; j++) {
                    if (lower(b[i + j]) != n[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }

        private static byte lower(byte c) {
            return c >= 'A' && c <= 'Z' ? (byte) (c + 32) : c;
        }
    }
}
