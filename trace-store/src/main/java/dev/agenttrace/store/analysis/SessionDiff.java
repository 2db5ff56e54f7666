package dev.agenttrace.store.analysis;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Two sessions side by side: the tools each called and how often, the files only one touched,
 * errors, tokens, cost and duration, and the first call where they part ways. Field names are
 * agent-strace's {@code diff_sessions} where it has them ({@code tool_call_diff, files_only_in_a,
 * files_only_in_b, files_in_both, token_delta, cost_delta_usd, error_count_a, error_count_b,
 * duration_delta_ms, errors_a, errors_b}); deltas are B minus A.
 */
public record SessionDiff(SessionSummary a, SessionSummary b, Map<String, long[]> toolCallDiff, List<String> filesOnlyInA,
                          List<String> filesOnlyInB, List<String> filesInBoth, Divergence divergence) {

    /**
     * The first position in the two call sequences where the calls differ (tool or arguments).
     *
     * @param index 0-based call number; equal to the shorter length when one is a prefix of the other
     * @param callA the call A made there, or null when A had stopped
     * @param callB the call B made there, or null when B had stopped
     * @param eventA the event id of A's call there (to look around it with get_session), or null
     * @param eventB the event id of B's call there, or null
     */
    public record Divergence(int index, String callA, String callB, String eventA, String eventB) {
    }

    public static SessionDiff of(SessionSummary a, SessionSummary b) {
        Map<String, long[]> counts = new TreeMap<>();
        for (SessionSummary.ToolStats t : a.tools()) {
            counts.computeIfAbsent(t.toolName(), k -> new long[2])[0] = t.calls();
        }
        for (SessionSummary.ToolStats t : b.tools()) {
            counts.computeIfAbsent(t.toolName(), k -> new long[2])[1] = t.calls();
        }
        counts.values().removeIf(c -> c[0] == c[1]);
        TreeSet<String> fa = new TreeSet<>(a.filesRead());
        fa.addAll(a.filesWritten());
        TreeSet<String> fb = new TreeSet<>(b.filesRead());
        fb.addAll(b.filesWritten());
        List<String> onlyA = new ArrayList<>();
        List<String> both = new ArrayList<>();
        for (String f : fa) {
            (fb.contains(f) ? both : onlyA).add(f);
        }
        List<String> onlyB = fb.stream().filter(f -> !fa.contains(f)).toList();
        return new SessionDiff(a, b, counts, onlyA, onlyB, both, divergence(a, b));
    }

    static Divergence divergence(SessionSummary sa, SessionSummary sb) {
        List<String> a = sa.callSequence();
        List<String> b = sb.callSequence();
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            if (!a.get(i).equals(b.get(i))) {
                return new Divergence(i, a.get(i), b.get(i), sa.callEventIds().get(i), sb.callEventIds().get(i));
            }
        }
        if (a.size() == b.size()) {
            return null;
        }
        return new Divergence(n, n < a.size() ? a.get(n) : null, n < b.size() ? b.get(n) : null,
                n < a.size() ? sa.callEventIds().get(n) : null, n < b.size() ? sb.callEventIds().get(n) : null);
    }

    public long tokenDelta() {
        return b.cost().totalTokens() - a.cost().totalTokens();
    }

    public double costDeltaUsd() {
        return b.cost().costUsd() - a.cost().costUsd();
    }

    public double durationDeltaMs() {
        return b.durationMs() - a.durationMs();
    }

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("session_a", a.sessionId());
        o.put("session_b", b.sessionId());
        ObjectNode tools = o.putObject("tool_call_diff");
        toolCallDiff.forEach((tool, c) -> {
            ObjectNode n = tools.putObject(tool);
            n.put("session_a", c[0]);
            n.put("session_b", c[1]);
        });
        SessionSummary.strings(o.putArray("files_only_in_a"), filesOnlyInA);
        SessionSummary.strings(o.putArray("files_only_in_b"), filesOnlyInB);
        SessionSummary.strings(o.putArray("files_in_both"), filesInBoth);
        o.put("token_delta", tokenDelta());
        o.put("tokens_a", a.cost().totalTokens());
        o.put("tokens_b", b.cost().totalTokens());
        o.put("cost_delta_usd", SessionSummary.money(costDeltaUsd()));
        o.put("cost_a_usd", SessionSummary.money(a.cost().costUsd()));
        o.put("cost_b_usd", SessionSummary.money(b.cost().costUsd()));
        o.put("error_count_a", a.errorCount());
        o.put("error_count_b", b.errorCount());
        o.put("duration_delta_ms", SessionSummary.round(durationDeltaMs()));
        o.put("duration_a_ms", SessionSummary.round(a.durationMs()));
        o.put("duration_b_ms", SessionSummary.round(b.durationMs()));
        o.put("tool_calls_a", a.toolCalls());
        o.put("tool_calls_b", b.toolCalls());
        o.put("retries_a", a.retryCount());
        o.put("retries_b", b.retryCount());
        o.set("errors_a", SessionSummary.errorsJson(a.errors().subList(0, Math.min(10, a.errors().size()))));
        o.set("errors_b", SessionSummary.errorsJson(b.errors().subList(0, Math.min(10, b.errors().size()))));
        if (divergence == null) {
            o.putNull("divergence");
        } else {
            ObjectNode d = o.putObject("divergence");
            d.put("index", divergence.index());
            SessionSummary.putNullable(d, "call_a", SessionAnalyzer.clip(divergence.callA(), 300));
            SessionSummary.putNullable(d, "call_b", SessionAnalyzer.clip(divergence.callB(), 300));
            SessionSummary.putNullable(d, "event_id_a", divergence.eventA());
            SessionSummary.putNullable(d, "event_id_b", divergence.eventB());
        }
        ArrayNode notes = o.putArray("notes");
        if (a.callSequence().size() >= SessionAnalyzer.MAX_SEQUENCE || b.callSequence().size() >= SessionAnalyzer.MAX_SEQUENCE) {
            notes.add("divergence compares the first " + SessionAnalyzer.MAX_SEQUENCE + " calls of each session");
        }
        return o;
    }
}
