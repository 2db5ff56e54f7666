package dev.agenttrace.store.analysis;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * One session explained: what the agent did, in phases, where it failed and retried, which files
 * it touched, what was slow and what it cost. Built by {@link SessionAnalyzer} in one pass over
 * the events; {@link #toJson()} is the shape the CLI's {@code --json} and the MCP server's
 * {@code get_session_summary} return. {@code callSequence} (tool and arguments of each call, in
 * order, capped) and {@code callEventIds} (their event ids) serve {@link SessionDiff}.
 */
public record SessionSummary(String sessionId, String agentName, String command, Double startedAt, Double endedAt,
                             double durationMs, long eventCount, Map<String, Long> eventTypes, long toolCalls,
                             long errorCount, Integer exitCode, List<ToolStats> tools, List<Phase> phases,
                             long retryCount, List<Retry> retries, List<ErrorItem> errors, List<String> filesRead,
                             List<String> filesWritten, List<String> filesFailed, List<SlowCall> slowest, Cost cost, List<String> warnings,
                             List<String> callSequence, List<String> callEventIds, long linkedToolCalls,
                             java.util.Set<String> linkedErrorEventIds) {

    /**
     * Calls of this session that are copies of a call another session recorded: an MCP call a
     * hook session saw, linked ({@code decision {kind: "mcp_link"}}) to the {@code tools/call} that
     * {@code agent-trace record} recorded. Analyses over several sessions count them once, in the
     * record session: they add {@link #ownToolCalls()} and {@link #ownErrors()}.
     */
    public long ownToolCalls() {
        return Math.max(0, toolCalls - linkedToolCalls);
    }

    /** {@link #errorCount} less the failures of linked calls. */
    public long ownErrorCount() {
        return Math.max(0, errorCount - linkedErrorEventIds.size());
    }

    /** {@link #errors} less the failures of linked calls. */
    public List<ErrorItem> ownErrors() {
        if (linkedErrorEventIds.isEmpty()) {
            return errors;
        }
        return errors.stream().filter(e -> !linkedErrorEventIds.contains(e.eventId())).toList();
    }

    /**
     * Calls, failures and latency of one tool.
     *
     * @param p50Ms nearest-rank median of the calls that have a duration, or null if none has one
     */
    public record ToolStats(String toolName, long calls, long errors, double errorRate, Double p50Ms, Double p95Ms,
                            Double maxMs, long timedCalls) {
    }

    /**
     * A stretch of the session that starts at a user prompt (the whole session when there is none).
     *
     * @param failed the phase ended badly: its last answered call failed (errors it recovered from
     *               are counted in {@code errors}, not here)
     * @param tokens input plus output tokens of the phase, counted as {@link Cost#totalTokens()} is
     */
    public record Phase(int index, String label, double startedAt, double durationMs, long events, long toolCalls,
                        long errors, boolean failed, long retries, double costUsd, long tokens) {
    }

    /** A run of calls to the same tool, each after the previous one failed or with the same arguments. */
    public record Retry(String toolName, int attempts, boolean afterError, String firstEventId, String arguments) {
    }

    /** One failure. */
    public record ErrorItem(String eventId, double timestamp, String toolName, String code, String message) {
    }

    /** One of the slowest calls. */
    public record SlowCall(String eventId, String toolName, double durationMs, boolean failed) {
    }

    /**
     * Tokens and dollars.
     *
     * @param tokenSource {@code trace} (real counts from the events) or {@code estimate} (payload size / 4)
     */
    public record Cost(String model, String pricedAs, long inputTokens, long outputTokens, long totalTokens,
                       String tokenSource, double costUsd, double wastedCostUsd, String pricesAsOf) {
    }

    public double errorRate() {
        return toolCalls == 0 ? 0 : Math.min(1.0, (double) errorCount / toolCalls);
    }

    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        o.put("session_id", sessionId);
        putNullable(o, "agent_name", agentName);
        putNullable(o, "command", command);
        if (startedAt != null) {
            o.put("started_at", startedAt);
        } else {
            o.putNull("started_at");
        }
        if (endedAt != null) {
            o.put("ended_at", endedAt);
        } else {
            o.putNull("ended_at");
        }
        o.put("duration_ms", round(durationMs));
        o.put("event_count", eventCount);
        ObjectNode types = o.putObject("event_types");
        eventTypes.forEach(types::put);
        o.put("tool_calls", toolCalls);
        o.put("error_count", errorCount);
        if (linkedToolCalls > 0) {
            // counted in the record session that holds the same calls, not again across sessions
            o.put("linked_tool_calls", linkedToolCalls);
        }
        o.put("error_rate", round(errorRate()));
        if (exitCode != null) {
            o.put("exit_code", exitCode);
        } else {
            o.putNull("exit_code");
        }
        o.set("tools", toolsJson(tools));
        ArrayNode ph = o.putArray("phases");
        for (Phase p : phases) {
            ObjectNode n = ph.addObject();
            n.put("index", p.index());
            n.put("label", p.label());
            n.put("started_at", p.startedAt());
            n.put("duration_ms", round(p.durationMs()));
            n.put("events", p.events());
            n.put("tool_calls", p.toolCalls());
            n.put("errors", p.errors());
            n.put("failed", p.failed());
            n.put("retries", p.retries());
            n.put("cost_usd", money(p.costUsd()));
            n.put("tokens", p.tokens());
        }
        o.put("retry_count", retryCount);
        ArrayNode rs = o.putArray("retries");
        for (Retry r : retries) {
            ObjectNode n = rs.addObject();
            n.put("tool_name", r.toolName());
            n.put("attempts", r.attempts());
            n.put("after_error", r.afterError());
            n.put("first_event_id", r.firstEventId());
            n.put("arguments", r.arguments());
        }
        o.set("errors", errorsJson(errors));
        strings(o.putArray("files_read"), filesRead);
        strings(o.putArray("files_written"), filesWritten);
        strings(o.putArray("files_failed"), filesFailed);
        ArrayNode sl = o.putArray("slowest_calls");
        for (SlowCall s : slowest) {
            ObjectNode n = sl.addObject();
            n.put("event_id", s.eventId());
            n.put("tool_name", s.toolName());
            n.put("duration_ms", round(s.durationMs()));
            n.put("failed", s.failed());
        }
        o.set("cost", costJson(cost));
        strings(o.putArray("warnings"), warnings);
        return o;
    }

    static ArrayNode toolsJson(List<ToolStats> tools) {
        ArrayNode ts = JsonNodeFactory.instance.arrayNode();
        for (ToolStats t : tools) {
            ObjectNode n = ts.addObject();
            n.put("tool_name", t.toolName());
            n.put("calls", t.calls());
            n.put("errors", t.errors());
            n.put("error_rate", round(t.errorRate()));
            putMs(n, "p50_ms", t.p50Ms());
            putMs(n, "p95_ms", t.p95Ms());
            putMs(n, "max_ms", t.maxMs());
        }
        return ts;
    }

    static ArrayNode errorsJson(List<ErrorItem> errors) {
        ArrayNode es = JsonNodeFactory.instance.arrayNode();
        for (ErrorItem e : errors) {
            ObjectNode n = es.addObject();
            n.put("event_id", e.eventId());
            n.put("timestamp", e.timestamp());
            putNullable(n, "tool_name", e.toolName());
            putNullable(n, "code", e.code());
            putNullable(n, "message", e.message());
        }
        return es;
    }

    static ObjectNode costJson(Cost c) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        putNullable(n, "model", c.model());
        n.put("priced_as", c.pricedAs());
        n.put("input_tokens", c.inputTokens());
        n.put("output_tokens", c.outputTokens());
        n.put("total_tokens", c.totalTokens());
        n.put("token_source", c.tokenSource());
        n.put("cost_usd", money(c.costUsd()));
        n.put("wasted_cost_usd", money(c.wastedCostUsd()));
        n.put("prices_as_of", c.pricesAsOf());
        return n;
    }

    private static void putMs(ObjectNode n, String k, Double v) {
        if (v == null) {
            n.putNull(k);
        } else {
            n.put(k, round(v));
        }
    }

    static void putNullable(ObjectNode n, String k, String v) {
        if (v == null) {
            n.putNull(k);
        } else {
            n.put(k, v);
        }
    }

    static void strings(ArrayNode a, List<String> values) {
        values.forEach(a::add);
    }

    static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }

    /** Dollars to a millionth of a cent's worth of precision, without float noise. */
    static double money(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
