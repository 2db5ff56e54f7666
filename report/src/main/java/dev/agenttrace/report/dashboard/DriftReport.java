package dev.agenttrace.report.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.report.dashboard.Drift.Metric;
import java.util.List;
import java.util.Map;

/**
 * The result of {@link Drift#compute}: the sessions shown, oldest first, each with its baseline,
 * and the changes found, in session order. {@link #toJson()} is {@code agent-trace drift --json}:
 * every key is always present (null where there is no value) and the order never varies.
 */
public record DriftReport(int window, double factor, List<Row> sessions, List<Change> changes) {

    /** One session and the baseline it was judged against (null when it has too few earlier sessions). */
    public record Row(SessionTrend trend, Map<Metric, Double> baseline) {
    }

    /**
     * One metric that moved.
     *
     * @param metric    a {@link Metric#wireName} or {@code tools}
     * @param direction {@code up} or {@code down} for a number; {@code appeared} or {@code vanished} for a tool
     * @param value     the session's value (null for a tool)
     * @param baseline  the median of the earlier sessions (null for a tool)
     * @param tool      the tool that appeared or vanished (null for a number)
     */
    public record Change(SessionTrend trend, String metric, String direction, Double value, Double baseline, String tool) {
    }

    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("window", window);
        root.put("factor", factor);
        root.put("min_history", Drift.minHistory(window));
        ObjectNode floors = root.putObject("floors");
        for (Metric m : Metric.values()) {
            floors.put(m.wireName, m.floor);
        }
        ArrayNode ss = root.putArray("sessions");
        for (Row r : sessions) {
            ObjectNode n = ss.addObject();
            SessionTrend t = r.trend();
            head(n, t);
            n.put("tasks", t.tasks());
            n.put("retries", t.retries());
            n.put("retries_per_task", round(t.retriesPerTask()));
            n.put("files_touched", t.filesTouched());
            n.put("duration_ms", round(t.durationMs()));
            n.put("tool_calls", t.toolCalls());
            n.put("blocked", t.blocked());
            n.put("errors", t.errors());
            ArrayNode tools = n.putArray("tools");
            t.tools().forEach(tools::add);
            if (r.baseline() == null) {
                n.putNull("baseline");
            } else {
                ObjectNode b = n.putObject("baseline");
                for (Metric m : Metric.values()) {
                    b.put(m.wireName, round(r.baseline().get(m)));
                }
            }
        }
        ArrayNode cs = root.putArray("changes");
        for (Change c : changes) {
            ObjectNode n = cs.addObject();
            head(n, c.trend());
            n.put("metric", c.metric());
            n.put("direction", c.direction());
            number(n, "value", c.value());
            number(n, "baseline", c.baseline());
            if (c.tool() == null) {
                n.putNull("tool");
            } else {
                n.put("tool", c.tool());
            }
        }
        return root;
    }

    private static void head(ObjectNode n, SessionTrend t) {
        n.put("session_id", t.sessionId());
        if (t.agentName() == null) {
            n.putNull("agent");
        } else {
            n.put("agent", t.agentName());
        }
        number(n, "started_at", t.startedAt());
    }

    private static void number(ObjectNode n, String key, Double v) {
        if (v == null) {
            n.putNull(key);
        } else {
            n.put(key, round(v));
        }
    }

    static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }
}
