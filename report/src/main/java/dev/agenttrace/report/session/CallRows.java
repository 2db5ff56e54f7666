package dev.agenttrace.report.session;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceJson;
import dev.agenttrace.store.analysis.EventFacts;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Turns a session's events into waterfall rows (one per call, from its start to its answer) and
 * marks on the time axis (firewall decisions, breaker alerts, prompts, stray errors).
 *
 * <p>An answer is linked to its call by {@code parent_id}, else by {@code request_id}, as
 * {@code SessionAnalyzer} links them. Calls made while a subagent call ({@code Task}/{@code Agent})
 * is open, or carrying a hook's {@code agent_id}, sit one level deeper; events of a child session
 * ({@code parent_session_id}) are fed with {@link #depthBase}. Only open calls are remembered, so
 * memory follows the rows kept, not the events read.
 */
public final class CallRows implements Consumer<TraceEvent> {
    /** Compact JSON of the arguments, clipped: the page is a picture, not a copy of the store. */
    public static final int MAX_ARGUMENTS = 300;
    public static final int MAX_RESULT = 400;
    private static final Set<String> SUBAGENT_TOOLS = Set.of("Task", "Agent", "task", "agent", "delegate", "spawn_agent");

    /** What a live page needs to know as the session grows. */
    public interface Listener {
        void added(Row r);

        void answered(Row r);

        void marked(Mark m);
    }

    private static final Listener NONE = new Listener() {
        @Override
        public void added(Row r) {
        }

        @Override
        public void answered(Row r) {
        }

        @Override
        public void marked(Mark m) {
        }
    };

    private final double originSeconds;
    private final Listener listener;
    private final List<Row> rows = new ArrayList<>();
    private final List<Mark> marks = new ArrayList<>();
    private final Map<String, Row> openByEventId = new HashMap<>();
    private final Map<String, Row> openByRequestId = new HashMap<>();
    private final Map<String, Row> answeredByEventId = new HashMap<>();
    private final List<Row> openSubagents = new ArrayList<>();
    private int depthBase;
    private double lastMs;

    /** @param originSeconds the session's start (epoch seconds): row times are milliseconds after it */
    public CallRows(double originSeconds) {
        this(originSeconds, NONE);
    }

    public CallRows(double originSeconds, Listener listener) {
        this.originSeconds = originSeconds;
        this.listener = listener;
    }

    /** Events fed from now on belong to a subagent this many levels down. */
    public void depthBase(int depth) {
        this.depthBase = depth;
        openSubagents.clear();
    }

    @Override
    public void accept(TraceEvent e) {
        String type = e.eventType() == null ? "" : e.eventType();
        double at = (e.timestamp() - originSeconds) * 1000;
        lastMs = Math.max(lastMs, at);
        JsonNode d = e.data();
        switch (type) {
            case EventTypes.TOOL_CALL -> call(e, at, name(EventFacts.toolName(e), "?"), compact(d == null ? null : d.get("arguments")), 0);
            case EventTypes.LLM_REQUEST -> call(e, at, "LLM " + name(text(d, "model"), ""), clip(text(d.path("last_message"), "content_preview"), MAX_ARGUMENTS), Row.LLM);
            case EventTypes.TOOL_RESULT, EventTypes.LLM_RESPONSE -> answer(e, at, false);
            case EventTypes.ERROR -> answer(e, at, true);
            case EventTypes.DECISION -> decision(e, at);
            case EventTypes.USER_PROMPT -> mark(new Mark(e.eventId(), at, "prompt", null, null, clip(text(d, "prompt"), 300), null, -1));
            default -> {
                // session_start/end, file events, responses: in the story and the file lists, not on the axis
            }
        }
    }

    private void call(TraceEvent e, double at, String tool, String args, int flags) {
        JsonNode d = e.data();
        int depth = depthBase + openSubagents.size();
        if (openSubagents.isEmpty() && d != null && (d.hasNonNull("agent_id") || d.path("is_sidechain").asBoolean(false))) {
            depth++;
        }
        Row r = new Row(rows.size(), at, tool, depth, e.eventId(), args, flags);
        rows.add(r);
        if (e.eventId() != null) {
            openByEventId.put(e.eventId(), r);
        }
        String rid = requestKey(e);
        if (rid != null) {
            openByRequestId.put(rid, r);
        }
        if (SUBAGENT_TOOLS.contains(tool)) {
            openSubagents.add(r);
        }
        listener.added(r);
    }

    private void answer(TraceEvent e, double at, boolean error) {
        Row r = e.parentId() == null ? null : openByEventId.get(e.parentId());
        String rid = requestKey(e);
        if (r == null && rid != null) {
            r = openByRequestId.get(rid);
        }
        if (r == null) {
            Row done = e.parentId() == null ? null : answeredByEventId.get(e.parentId());
            if (done != null && error && EventFacts.isError(e)) {
                done.flags |= Row.FAILED; // a second report of the same failure
                listener.answered(done);
                return;
            }
            if (error && EventFacts.isError(e)) {
                mark(new Mark(e.eventId(), at, "error", null, text(e.data(), "code"), clip(EventFacts.errorMessage(e), 300), EventFacts.toolName(e), -1));
            }
            return;
        }
        openByEventId.remove(r.eventId);
        if (rid != null) {
            openByRequestId.remove(rid);
        }
        openSubagents.remove(r);
        if (r.eventId != null) {
            answeredByEventId.put(r.eventId, r);
            if (answeredByEventId.size() > 4096) {
                answeredByEventId.clear(); // only the last few answers get a second report
            }
        }
        r.flags &= ~Row.OPEN;
        r.durationMs = e.durationMs() != null ? e.durationMs() : Math.max(0, at - r.startMs);
        if (EventFacts.isError(e)) {
            r.flags |= Row.FAILED;
            if (!error) {
                r.flags |= Row.IS_ERROR;
            }
        }
        String preview = error ? EventFacts.errorMessage(e) : resultText(e.data());
        if (error && text(e.data(), "code") != null) {
            preview = "[" + text(e.data(), "code") + "] " + preview;
        }
        r.result = clip(preview == null ? "" : preview, MAX_RESULT);
        listener.answered(r);
    }

    private void decision(TraceEvent e, double at) {
        JsonNode d = e.data();
        String kind = text(d, "kind");
        String choice = text(d, "choice");
        String rule = text(d, "rule");
        if (rule == null && d != null) {
            rule = text(d.path("policy"), "rule");
        }
        Row r = e.parentId() == null ? null : openByEventId.get(e.parentId());
        if (r == null && e.parentId() != null) {
            r = answeredByEventId.get(e.parentId());
        }
        if (r == null && "policy_violation".equals(kind)) {
            String rid = requestKey(e);
            r = rid == null ? null : openByRequestId.get(rid);
        }
        String k = "policy_violation".equals(kind) ? "policy" : "alert".equals(kind) ? "alert" : "watch_block".equals(kind) ? "block" : "decision";
        if (r != null && ("policy".equals(k) || "block".equals(k) || "alert".equals(k))) {
            if ("block".equals(choice)) {
                r.flags |= Row.BLOCKED;
            } else if ("policy".equals(k)) {
                r.flags |= Row.SHADOW;
            }
            if (r.rule == null) {
                r.rule = rule;
            }
            listener.answered(r);
        }
        String tool = EventFacts.toolName(e);
        mark(new Mark(e.eventId(), at, k, choice, rule, clip(text(d, "reason"), 500), tool == null && r != null ? r.tool : tool, r == null ? -1 : r.index));
    }

    private void mark(Mark m) {
        marks.add(m);
        listener.marked(m);
    }

    /** The call's request id; an imported transcript's result names its call by {@code tool_use_id} instead. */
    private String requestKey(TraceEvent e) {
        JsonNode d = e.data();
        JsonNode rid = d == null ? null : d.get("request_id");
        if ((rid == null || rid.isNull()) && d != null) {
            rid = d.get("tool_use_id");
        }
        return rid == null || rid.isNull() ? null : e.sessionId() + " " + rid;
    }

    /** The rows in order of their start, and marks pointing at the reordered rows. */
    public Result finish() {
        List<Row> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingDouble(Row::startMs)); // stable: a session's own order survives ties
        int[] moved = new int[rows.size()];
        List<Row> out = new ArrayList<>(sorted.size());
        for (Row r : sorted) {
            Row n = new Row(out.size(), r.startMs, r.tool, r.depth, r.eventId, r.arguments, 0);
            n.flags = r.flags;
            n.durationMs = r.durationMs;
            n.result = r.result;
            n.rule = r.rule;
            moved[r.index] = n.index;
            out.add(n);
        }
        List<Mark> ms = new ArrayList<>(marks.size());
        for (Mark m : marks) {
            ms.add(m.row() < 0 ? m : new Mark(m.eventId(), m.atMs(), m.kind(), m.choice(), m.rule(), m.reason(), m.tool(), moved[m.row()]));
        }
        ms.sort(Comparator.comparingDouble(Mark::atMs));
        return new Result(List.copyOf(out), List.copyOf(ms), lastMs);
    }

    /** @param endMs the time of the last event seen, in milliseconds after the origin */
    public record Result(List<Row> rows, List<Mark> marks, double endMs) {
    }

    static String resultText(JsonNode d) {
        if (d == null) {
            return "";
        }
        String t = text(d, "content_preview");
        if (t != null) {
            return t;
        }
        JsonNode r = d.get("result");
        if (r == null || r.isNull()) {
            return "";
        }
        return r.isTextual() ? r.textValue() : TraceJson.compact(r);
    }

    private static String compact(JsonNode n) {
        return n == null || n.isNull() ? "" : clip(TraceJson.compact(n), MAX_ARGUMENTS);
    }

    private static String name(String s, String whenNone) {
        return s == null ? whenNone : s;
    }

    static String text(JsonNode d, String key) {
        if (d == null) {
            return null;
        }
        JsonNode v = d.get(key);
        if (v == null || v.isNull() || v.isContainerNode()) {
            return null;
        }
        String s = v.asText();
        return s.isEmpty() ? null : s;
    }

    static String clip(String s, int max) {
        if (s == null) {
            return null;
        }
        if (s.length() <= max) {
            return s;
        }
        int cut = max - 1;
        if (Character.isHighSurrogate(s.charAt(cut - 1))) {
            cut--; // never half an emoji
        }
        return s.substring(0, cut) + "…";
    }
}
