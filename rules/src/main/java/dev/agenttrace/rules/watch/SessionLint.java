package dev.agenttrace.rules.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.EventRead;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceEvent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@code agent-trace lint}: the watchers replayed over a stored session (same code as inline and
 * live, with the events' own timestamps as the clock), plus what only a whole store shows:
 * recursive delegation through {@code parent_session_id}. Findings carry a severity; the command
 * turns the worst into a CI exit code.
 */
public final class SessionLint {
    /** Delegation deeper than this is reported. */
    static final int MAX_DEPTH = 10;
    /** An agent that spawned itself this many levels deep is reported. */
    static final int SELF_SPAWN_LEVELS = 3;

    /** One finding; {@code eventId} null when it concerns the session as a whole. */
    public record Finding(String rule, Severity severity, String message, String suggestion, String eventId, double timestamp) {
        public ObjectNode toJson() {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.put("rule", rule);
            n.put("severity", severity.wireName());
            n.put("message", message);
            if (suggestion != null) {
                n.put("suggestion", suggestion);
            }
            if (eventId != null) {
                n.put("event_id", eventId);
            }
            if (timestamp > 0) {
                n.put("timestamp", timestamp);
            }
            return n;
        }
    }

    /** The lint of one session. */
    public record Report(SessionMeta session, SessionCounters counters, List<Finding> findings, List<String> warnings) {
        public Report {
            findings = List.copyOf(findings);
            warnings = List.copyOf(warnings);
        }

        /** {@code lint --json}: one object per session. */
        public ObjectNode toJson() {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.put("session_id", session.sessionId);
            Severity w = worst();
            n.put("worst", w == null ? "clean" : w.wireName());
            n.put("critical", count(Severity.CRITICAL));
            n.put("warnings", count(Severity.WARNING));
            n.put("info", count(Severity.INFO));
            ObjectNode c = n.putObject("counters");
            c.put("tool_calls", counters.toolCalls());
            c.put("errors", counters.errors());
            c.put("cost_usd", Math.round(counters.costUsd() * 1e6) / 1e6);
            c.put("cost_estimated", counters.costEstimated());
            c.put("total_tokens", counters.totalTokens());
            c.put("elapsed_seconds", Math.round(counters.elapsedSeconds() * 1000) / 1000.0);
            ArrayNode fs = n.putArray("findings");
            for (Finding f : findings) {
                fs.add(f.toJson());
            }
            ArrayNode ws = n.putArray("read_warnings");
            warnings.forEach(ws::add);
            return n;
        }

        /** The worst severity found, or null when clean. */
        public Severity worst() {
            Severity w = null;
            for (Finding f : findings) {
                if (w == null || f.severity().compareTo(w) > 0) {
                    w = f.severity();
                }
            }
            return w;
        }

        public long count(Severity s) {
            return findings.stream().filter(f -> f.severity() == s).count();
        }
    }

    private SessionLint() {
    }

    /**
     * @param events   the session's events (and the warnings reading them gave)
     * @param config   the rules to apply ({@link WatchConfig.defaults()}, with a user's config merged in)
     * @param budget   a cost budget in USD for the budget-proximity check, or null to take it from
     *                 the config's cost rule or the session's {@code session_start} data
     *                 ({@code budget_dollars}, {@code max_cost_dollars}, as agent-strace's watchdog writes)
     * @param sessions every session of the store by id, for the delegation chain
     */
    public static Report lint(SessionMeta meta, EventRead events, WatchConfig config, Double budget, Map<String, SessionMeta> sessions) {
        WatchConfig effective = withBudget(config, budget != null ? budget : budgetOf(events.events()));
        SessionWatch watch = new SessionWatch(effective, SessionContext.of(meta));
        List<Finding> findings = new ArrayList<>();
        for (TraceEvent e : events.events()) {
            for (Alert a : watch.observe(e)) {
                findings.add(new Finding(a.rule(), a.severity(), a.message(), a.suggestion(), a.eventId(), a.timestamp()));
            }
        }
        findings.addAll(delegation(meta, sessions));
        double end = watch.lastEventTimestamp();
        return new Report(meta, watch.counters(Double.isNaN(end) ? 0 : end), findings, events.warnings());
    }

    /**
     * Adds a cost rule (critical) and its budget-proximity warning when a budget is known and no
     * user's file configured a cost rule (the session's own budget beats the default $10).
     */
    static WatchConfig withBudget(WatchConfig config, Double budget) {
        RuleSpec cost = config.rule("cost");
        if (budget == null || budget <= 0 || (cost != null && !WatchConfig.isDefault(cost))) {
            return config;
        }
        Set<ActionKind> terminal = Set.of(ActionKind.TERMINAL);
        return config.mergedWith(new WatchConfig(List.of(Watchers.cost(budget, terminal, Severity.CRITICAL),
                Watchers.budget(budget, 0.9, terminal)), null, WatchConfig.DEFAULT_KILL_GRACE_SECONDS,
                config.tools(), null, List.of(), List.of()));
    }

    private static Double budgetOf(List<TraceEvent> events) {
        for (TraceEvent e : events) {
            if (EventTypes.SESSION_START.equals(e.eventType()) && e.data() != null) {
                for (String k : List.of("budget_dollars", "max_cost_dollars")) {
                    JsonNode v = e.data().get(k);
                    if (v != null && v.isNumber() && v.doubleValue() > 0) {
                        return v.doubleValue();
                    }
                }
            }
        }
        return null;
    }

    /**
     * Recursive delegation: the chain of {@code parent_session_id} from this session comes back to
     * a session already on it (critical: the data, or the agents, loop), runs deeper than
     * {@value #MAX_DEPTH}, or is the same agent spawning itself {@value #SELF_SPAWN_LEVELS} levels deep.
     */
    static List<Finding> delegation(SessionMeta meta, Map<String, SessionMeta> sessions) {
        List<Finding> out = new ArrayList<>();
        Set<String> chain = new LinkedHashSet<>();
        chain.add(meta.sessionId);
        SessionMeta cur = meta;
        int selfLevels = 0;
        boolean self = true;
        while (cur.parentSessionId != null && !cur.parentSessionId.isBlank()) {
            String parent = cur.parentSessionId;
            if (chain.contains(parent)) {
                List<String> ids = new ArrayList<>(chain);
                StringBuilder cycle = new StringBuilder();
                for (String id : ids.subList(ids.indexOf(parent), ids.size())) {
                    cycle.append(id).append(" → ");
                }
                cycle.append(parent);
                out.add(new Finding("recursive_delegation", Severity.CRITICAL,
                        "delegation cycle through parent_session_id: " + cycle + (parent.equals(meta.sessionId) ? "" : " (reached from " + meta.sessionId + ")"),
                        "A session cannot be its own ancestor: the agents delegate to each other in a circle, or the parent ids are corrupt.",
                        null, 0));
                return out;
            }
            chain.add(parent);
            SessionMeta p = sessions.get(parent);
            if (p == null) {
                break;
            }
            if (self && Objects.equals(p.agentName, meta.agentName) && Objects.equals(p.command, meta.command)) {
                selfLevels++;
            } else {
                self = false;
            }
            cur = p;
        }
        if (selfLevels >= SELF_SPAWN_LEVELS) {
            out.add(new Finding("recursive_delegation", Severity.WARNING,
                    "agent " + (meta.agentName == null ? "?" : meta.agentName) + " delegated to itself " + selfLevels + " levels deep",
                    "An agent that keeps handing the task to a copy of itself is not making progress.", null, 0));
        } else if (chain.size() - 1 > MAX_DEPTH) {
            out.add(new Finding("recursive_delegation", Severity.WARNING,
                    "delegation chain " + (chain.size() - 1) + " levels deep (more than " + MAX_DEPTH + ")",
                    "Deep delegation multiplies cost and hides failures; check why each level spawns the next.", null, 0));
        }
        return out;
    }

}
