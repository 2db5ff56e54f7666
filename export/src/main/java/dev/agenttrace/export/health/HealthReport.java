package dev.agenttrace.export.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.export.span.ErrorKind;
import dev.agenttrace.rules.watch.RuleSpec;
import dev.agenttrace.rules.watch.SessionLint;
import dev.agenttrace.rules.watch.WatchConfig;
import dev.agenttrace.store.EventRead;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceStore;
import dev.agenttrace.store.analysis.SessionAnalyzer;
import dev.agenttrace.store.analysis.SessionSummary;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code agent-trace health}: the six signals users watch an unattended agent by, computed from the
 * store. Cost per run against the agent's baseline (the median of its previous N runs; alert at a
 * factor, 3x by default), loop and retry triggers per run (the same watchers as {@code lint} and
 * inline), breaker trips and state, budget utilisation against the watch budgets, tool error rate
 * by kind ({@link ErrorKind}), and the cache-read share of input tokens where the trace has them.
 */
public final class HealthReport {
    public static final double DEFAULT_ALERT_FACTOR = 3.0;
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Report(List<RunHealth> runs, int lastN, double alertFactor, WatchBudgets budgets, List<String> warnings) {
        public Map<String, Long> errorsByKind() {
            Map<String, Long> all = new TreeMap<>();
            runs.forEach(r -> r.errorsByKind().forEach((k, v) -> all.merge(k, v, Long::sum)));
            return all;
        }

        public long toolCalls() {
            return runs.stream().mapToLong(RunHealth::toolCalls).sum();
        }

        public long costAlerts() {
            return runs.stream().filter(RunHealth::costAlert).count();
        }
    }

    private HealthReport() {
    }

    /**
     * @param agent  a substring of the agent name or command, or null for every agent
     * @param lastN  how many runs to report, newest first, and how many earlier runs make a baseline
     */
    public static Report compute(TraceStore store, String agent, int lastN, double alertFactor, WatchConfig watch,
                                 WatchBudgets budgets) {
        List<SessionMeta> all = new ArrayList<>(store.listSessions()); // newest first
        if (agent != null) {
            String a = agent.toLowerCase(Locale.ROOT);
            all.removeIf(m -> !(contains(m.agentName, a) || contains(m.command, a)));
        }
        List<SessionMeta> shown = all.subList(0, Math.min(lastN, all.size()));
        Map<String, SessionMeta> byId = new HashMap<>();
        store.listSessions().forEach(m -> byId.put(m.sessionId, m));
        Map<String, Double> costs = new HashMap<>();
        List<String> warnings = new ArrayList<>();
        List<RunHealth> runs = new ArrayList<>();
        for (int i = 0; i < shown.size(); i++) {
            SessionMeta m = shown.get(i);
            RunHealth partial = run(store, m, watch, budgets, byId, warnings);
            costs.put(m.sessionId, partial.costUsd());
            // the baseline: the same agent's previous runs (older than this one), up to N
            List<Double> previous = new ArrayList<>();
            for (int j = all.indexOf(m) + 1; j < all.size() && previous.size() < lastN; j++) {
                SessionMeta p = all.get(j);
                if (!java.util.Objects.equals(p.agentName, m.agentName)) {
                    continue;
                }
                previous.add(costs.computeIfAbsent(p.sessionId, id -> cost(store, p)));
            }
            Double baseline = previous.isEmpty() ? null : median(previous);
            Double ratio = baseline == null || baseline <= 0 ? null : partial.costUsd() / baseline;
            runs.add(new RunHealth(m.sessionId, m.agentName, m.startedAt, partial.costUsd(), partial.costEstimated(), baseline, ratio,
                    ratio != null && ratio >= alertFactor, partial.loopTriggers(), partial.retryTriggers(), partial.breakerTrips(),
                    partial.breakerState(), partial.budgetUse(), partial.toolCalls(), partial.toolErrors(), partial.errorsByKind(),
                    partial.cacheReadShare()));
        }
        return new Report(runs, lastN, alertFactor, budgets, warnings);
    }

    private static RunHealth run(TraceStore store, SessionMeta m, WatchConfig watch, WatchBudgets budgets,
                                 Map<String, SessionMeta> byId, List<String> warnings) {
        EventRead read = store.readEvents(m.sessionId);
        warnings.addAll(read.warnings());
        SessionAnalyzer analyzer = new SessionAnalyzer(m);
        int trips = 0;
        int inlineLoops = 0;
        int inlineRetries = 0;
        boolean open = false;
        CacheTokens cache = new CacheTokens();
        for (TraceEvent e : read.events()) {
            analyzer.accept(e);
            cache.observe(e);
            if (EventTypes.DECISION.equals(e.eventType()) && e.data() != null) {
                String kind = e.data().path("kind").asText("");
                String choice = e.data().path("choice").asText("");
                if (kind.equals("alert")) {
                    trips++;
                    String watcher = e.data().path("watcher").asText("");
                    inlineLoops += watcher.equals("loop") ? 1 : 0;
                    inlineRetries += watcher.equals("retry") ? 1 : 0;
                    if (choice.equals("block") || choice.equals("pause") || choice.equals("kill")) {
                        open = true;
                    }
                } else if (kind.equals("resume")) {
                    open = false;
                }
            }
        }
        SessionSummary s = analyzer.finish(new ArrayList<>());
        SessionLint.Report lint = SessionLint.lint(m, read, watch, null, byId);
        int loops = 0;
        int retries = 0;
        for (SessionLint.Finding f : lint.findings()) {
            RuleSpec spec = watch.rule(f.rule());
            String kind = spec == null ? f.rule() : spec.kind();
            loops += kind.equals("loop") ? 1 : 0;
            retries += kind.equals("retry") ? 1 : 0;
        }
        Map<String, Long> byKind = new TreeMap<>();
        // a hook session's MCP calls linked to the calls record recorded are counted there, not twice
        for (SessionSummary.ErrorItem err : s.ownErrors()) {
            Integer code = null;
            try {
                code = err.code() == null ? null : Integer.valueOf(err.code());
            } catch (NumberFormatException ignored) {
                // a non-numeric code is judged on the text
            }
            byKind.merge(ErrorKind.classify(code, err.message()).name(), 1L, Long::sum);
        }
        double cost = s.cost().costUsd();
        Map<String, Double> use = new LinkedHashMap<>();
        if (budgets.maxDollars() != null && budgets.maxDollars() > 0) {
            use.put("cost", cost / budgets.maxDollars());
        }
        if (budgets.maxTokens() != null && budgets.maxTokens() > 0) {
            use.put("tokens", (double) s.cost().totalTokens() / budgets.maxTokens());
        }
        if (budgets.maxMinutes() != null && budgets.maxMinutes() > 0) {
            use.put("duration", s.durationMs() / 60_000.0 / budgets.maxMinutes());
        }
        return new RunHealth(m.sessionId, m.agentName, m.startedAt, cost, !"trace".equals(s.cost().tokenSource()), null, null, false,
                Math.max(loops, inlineLoops), Math.max(retries, inlineRetries), trips, open ? "open" : "closed", use,
                s.ownToolCalls(), s.ownErrors().size(), byKind, cache.share());
    }

    private static double cost(TraceStore store, SessionMeta m) {
        return SessionAnalyzer.analyze(store, m).cost().costUsd();
    }

    static double median(List<Double> xs) {
        List<Double> sorted = new ArrayList<>(xs);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static boolean contains(String s, String lowerNeedle) {
        return s != null && s.toLowerCase(Locale.ROOT).contains(lowerNeedle);
    }

    public static ObjectNode toJson(Report r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("last", r.lastN());
        root.put("alert_factor", r.alertFactor());
        ObjectNode b = root.putObject("budgets");
        if (r.budgets().maxDollars() != null) {
            b.put("max_dollars", r.budgets().maxDollars());
        }
        if (r.budgets().maxTokens() != null) {
            b.put("max_tokens", r.budgets().maxTokens());
        }
        if (r.budgets().maxMinutes() != null) {
            b.put("max_minutes", r.budgets().maxMinutes());
        }
        ObjectNode totals = root.putObject("totals");
        totals.put("runs", r.runs().size());
        totals.put("tool_calls", r.toolCalls());
        totals.put("cost_alerts", r.costAlerts());
        totals.set("errors_by_kind", JSON.valueToTree(r.errorsByKind()));
        ObjectNode rates = totals.putObject("error_rate_by_kind");
        r.errorsByKind().forEach((k, v) -> rates.put(k, r.toolCalls() == 0 ? 0 : (double) v / r.toolCalls()));
        var arr = root.putArray("runs");
        for (RunHealth h : r.runs()) {
            ObjectNode n = arr.addObject();
            n.put("session_id", h.sessionId());
            n.put("agent", h.agent());
            if (h.startedAt() != null) {
                n.put("started_at", h.startedAt());
            }
            n.put("cost_usd", h.costUsd());
            n.put("cost_estimated", h.costEstimated());
            putNullable(n, "baseline_usd", h.baselineUsd());
            putNullable(n, "cost_vs_baseline", h.costRatio());
            n.put("cost_alert", h.costAlert());
            n.put("loop_triggers", h.loopTriggers());
            n.put("retry_triggers", h.retryTriggers());
            n.put("breaker_trips", h.breakerTrips());
            n.put("breaker_state", h.breakerState());
            n.set("budget_utilisation", JSON.valueToTree(h.budgetUse()));
            n.put("tool_calls", h.toolCalls());
            n.put("tool_errors", h.toolErrors());
            n.put("error_rate", h.errorRate());
            n.set("errors_by_kind", JSON.valueToTree(h.errorsByKind()));
            putNullable(n, "cache_read_share", h.cacheReadShare());
        }
        if (!r.warnings().isEmpty()) {
            root.set("warnings", JSON.valueToTree(r.warnings()));
        }
        return root;
    }

    private static void putNullable(ObjectNode n, String key, Double v) {
        if (v == null) {
            n.putNull(key);
        } else {
            n.put(key, v);
        }
    }

    /**
     * Cache reads in the token counts a trace carries: Anthropic's {@code cache_read_input_tokens}
     * (beside {@code input_tokens} and {@code cache_creation_input_tokens}, which exclude it), and
     * OpenAI's {@code prompt_tokens_details.cached_tokens} (part of {@code prompt_tokens}).
     */
    static final class CacheTokens {
        private long cacheRead;
        private long input;
        private boolean seen;

        void observe(TraceEvent e) {
            JsonNode d = e.data();
            if (d == null) {
                return;
            }
            JsonNode u = d.path("usage").isObject() ? d.path("usage") : d;
            long in = u.path("input_tokens").asLong(0);
            long read = u.path("cache_read_input_tokens").asLong(u.path("cache_read_tokens").asLong(0));
            long created = u.path("cache_creation_input_tokens").asLong(0);
            long prompt = u.path("prompt_tokens").asLong(0);
            long cached = u.path("prompt_tokens_details").path("cached_tokens").asLong(0);
            if (in > 0 || read > 0 || created > 0) {
                seen = true;
                cacheRead += read;
                input += in + read + created;
            } else if (prompt > 0) {
                seen = true;
                cacheRead += cached;
                input += prompt;
            }
        }

        Double share() {
            return !seen || input == 0 ? null : (double) cacheRead / input;
        }
    }
}
