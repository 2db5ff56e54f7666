package dev.agenttrace.report.dashboard;

import dev.agenttrace.rules.watch.ErrorKind;
import dev.agenttrace.rules.watch.SessionLint;
import dev.agenttrace.rules.watch.WatchConfig;
import dev.agenttrace.store.EventRead;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceStore;
import dev.agenttrace.store.analysis.EventFacts;
import dev.agenttrace.store.analysis.SessionAnalyzer;
import dev.agenttrace.store.analysis.SessionSummary;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The trends across a store's sessions: each session explained ({@link SessionAnalyzer}), linted
 * for loops ({@link SessionLint} with its defaults), its failures classified ({@link ErrorKind})
 * and its breaker alerts counted; the cost baseline of a session is the median of the
 * {@code baselineWindow} sessions before it.
 */
public final class Trends {
    private Trends() {
    }

    /**
     * @param last           how many of the most recent sessions (by {@code started_at})
     * @param agent          keep only sessions whose agent name or command contains this (case-insensitive), or null
     * @param baselineWindow how many earlier sessions the cost baseline is the median of
     */
    public static List<SessionTrend> read(TraceStore store, int last, String agent, int baselineWindow) {
        List<SessionMeta> all = store.listSessions();
        Map<String, SessionMeta> byId = new HashMap<>();
        all.forEach(m -> byId.put(m.sessionId, m));
        String needle = agent == null || agent.isBlank() ? null : agent.toLowerCase(Locale.ROOT);
        List<SessionMeta> picked = new ArrayList<>();
        for (SessionMeta m : all) {
            if (needle == null || contains(m.agentName, needle) || contains(m.command, needle)) {
                picked.add(m);
            }
        }
        picked.sort(Comparator.comparing((SessionMeta m) -> m.startedAt == null ? 0 : m.startedAt).reversed());
        // the baseline needs the sessions before the window too
        List<SessionMeta> wanted = new ArrayList<>(picked.subList(0, Math.min(picked.size(), last + baselineWindow)));
        java.util.Collections.reverse(wanted);
        List<SessionTrend> out = new ArrayList<>();
        List<Double> costs = new ArrayList<>();
        for (SessionMeta m : wanted) {
            SessionTrend t = one(store, m, byId, costs.isEmpty() ? null : median(costs.subList(Math.max(0, costs.size() - baselineWindow), costs.size())));
            costs.add(t.costUsd());
            out.add(t);
        }
        return List.copyOf(out.subList(Math.max(0, out.size() - last), out.size()));
    }

    static SessionTrend one(TraceStore store, SessionMeta meta, Map<String, SessionMeta> byId, Double baseline) {
        EventRead read = store.readEvents(meta.sessionId);
        SessionAnalyzer analyzer = new SessionAnalyzer(meta);
        Map<String, Long> kinds = new TreeMap<>();
        Set<String> counted = new HashSet<>();
        Map<String, String> kindOf = new java.util.HashMap<>();
        long trips = 0;
        long blocked = 0;
        for (TraceEvent e : read.events()) {
            analyzer.accept(e);
            if (EventFacts.isError(e) && (e.parentId() == null || counted.add(e.parentId()))) {
                Integer code = e.data() != null && e.data().path("code").canConvertToInt() && e.data().path("code").isIntegralNumber()
                        ? e.data().get("code").intValue() : null;
                String kind = ErrorKind.classify(code, EventFacts.errorMessage(e)).wireName();
                kinds.merge(kind, 1L, Long::sum);
                if (e.eventId() != null) {
                    kindOf.put(e.eventId(), kind);
                }
            }
            if (EventTypes.DECISION.equals(e.eventType()) && e.data() != null) {
                String kind = e.data().path("kind").asText();
                if ("alert".equals(kind)) {
                    trips++;
                } else if ("policy_violation".equals(kind) && "block".equals(e.data().path("choice").asText())) {
                    blocked++;
                }
            }
        }
        SessionSummary s = analyzer.finish(read.warnings());
        // a hook session's MCP calls linked to record's copies are counted in the record session only
        for (String id : s.linkedErrorEventIds()) {
            String k = kindOf.get(id);
            if (k != null && kinds.merge(k, -1L, Long::sum) <= 0) {
                kinds.remove(k);
            }
        }
        long loops = SessionLint.lint(meta, read, WatchConfig.defaults(), null, byId).findings().stream()
                .filter(f -> f.rule().startsWith("loop")).count();
        Map<String, Double> p50 = new LinkedHashMap<>();
        for (SessionSummary.ToolStats t : s.tools()) {
            if (t.p50Ms() != null) {
                p50.put(t.toolName(), t.p50Ms());
            }
        }
        Set<String> touched = new HashSet<>(s.filesRead());
        touched.addAll(s.filesWritten());
        List<String> used = s.tools().stream().filter(t -> t.calls() > 0).map(SessionSummary.ToolStats::toolName).sorted().toList();
        return new SessionTrend(meta.sessionId, meta.agentName != null ? meta.agentName : meta.command, s.startedAt(), s.durationMs(),
                s.cost().costUsd(), baseline, s.ownToolCalls(), s.ownErrorCount(), kinds, loops, s.retryCount(), trips, blocked, p50,
                s.phases().size(), touched.size(), used);
    }

    private static boolean contains(String s, String needle) {
        return s != null && s.toLowerCase(Locale.ROOT).contains(needle);
    }

    static Double median(List<Double> xs) {
        if (xs.isEmpty()) {
            return null;
        }
        List<Double> sorted = new ArrayList<>(xs);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
