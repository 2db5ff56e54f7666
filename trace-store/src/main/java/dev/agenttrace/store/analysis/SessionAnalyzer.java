package dev.agenttrace.store.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceStore;
import dev.agenttrace.store.analysis.SessionSummary.Cost;
import dev.agenttrace.store.analysis.SessionSummary.ErrorItem;
import dev.agenttrace.store.analysis.SessionSummary.Phase;
import dev.agenttrace.store.analysis.SessionSummary.Retry;
import dev.agenttrace.store.analysis.SessionSummary.SlowCall;
import dev.agenttrace.store.analysis.SessionSummary.ToolStats;
import dev.agenttrace.store.cost.PriceTable;
import dev.agenttrace.store.cost.TokenMeter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Explains a session in one pass over its events, holding only bounded state (the calls awaiting
 * an answer, per-tool latencies, capped lists), so a session of millions of events streams
 * through. Feed it with {@link TraceStore#forEachEvent} and call {@link #finish}.
 *
 * <p>Results are linked to their call by {@code parent_id}, else by {@code request_id} (the
 * Python proxy left errors unlinked). A phase starts at each user prompt, as in agent-strace's
 * {@code explain}; its label is the prompt, else the tool it used most. A retry is a call of the
 * same tool as the call before it, made after that call failed or with the same arguments.
 */
public final class SessionAnalyzer implements Consumer<TraceEvent> {
    static final int MAX_ERRORS = 20;
    static final int MAX_FILES = 500;
    static final int MAX_PHASES = 200;
    static final int MAX_RETRIES = 50;
    static final int MAX_SEQUENCE = 10_000;
    private static final int SLOWEST = 5;
    private static final int MAX_PENDING = 10_000;
    private static final int LABEL = 50;

    private final SessionMeta meta;
    private final PriceTable prices;
    private final TokenMeter meter;
    private final PriceTable.Model pricedAs;
    private long events;
    private final Map<String, Long> types = new TreeMap<>();
    private long toolCalls;
    private long errorCount;
    private Integer exitCode;
    private double firstTs = Double.NaN;
    private double lastTs = Double.NaN;
    private final Map<String, Tool> tools = new TreeMap<>();
    private final LinkedHashMap<String, Call> byEventId = new LinkedHashMap<>();
    private final Map<String, Call> byRequestId = new HashMap<>();
    private Call previousCall;
    private Retry openRetry;
    private long retryCount;
    private final List<Retry> retries = new ArrayList<>();
    private final List<ErrorItem> errors = new ArrayList<>();
    private final TreeSet<String> filesRead = new TreeSet<>();
    private final TreeSet<String> filesWritten = new TreeSet<>();
    /** Paths of calls that failed: a read that found no file is not a file read. */
    private final TreeSet<String> filesFailed = new TreeSet<>();
    private final PriorityQueue<SlowCall> slowest = new PriorityQueue<>((a, b) -> Double.compare(a.durationMs(), b.durationMs()));
    private final List<PhaseBuilder> phases = new ArrayList<>();
    private final List<String> sequence = new ArrayList<>();
    private final List<String> sequenceIds = new ArrayList<>();
    private PhaseBuilder phase;
    private long linkedCalls;
    private final java.util.Set<String> linkedErrorIds = new java.util.HashSet<>();

    private static final class Call {
        final String eventId;
        final String tool;
        final String signature;
        final PhaseBuilder phase;
        boolean failed;
        boolean answered;
        boolean linked;
        String failureEventId;
        List<String> paths = List.of();
        boolean write;

        Call(String eventId, String tool, String signature, PhaseBuilder phase) {
            this.eventId = eventId;
            this.tool = tool;
            this.signature = signature;
            this.phase = phase;
        }
    }

    private static final class Tool {
        long calls;
        long errors;
        double[] latencies = new double[8];
        int timed;

        void latency(double ms) {
            if (timed == latencies.length) {
                latencies = java.util.Arrays.copyOf(latencies, timed * 2);
            }
            latencies[timed++] = ms;
        }
    }

    private final class PhaseBuilder {
        final int index;
        String prompt;
        final double start;
        double end;
        long events;
        long toolCalls;
        long errors;
        long retries;
        /** The phase's last answered call failed: it ended badly (errors it recovered from do not count). */
        boolean endedInError;
        final Map<String, Integer> toolUse = new HashMap<>();
        final TokenMeter cost = new TokenMeter(prices);

        PhaseBuilder(int index, String prompt, double start) {
            this.index = index;
            this.prompt = prompt;
            this.start = start;
            this.end = start;
        }

        Phase build() {
            String label;
            if (prompt != null && !prompt.isBlank()) {
                String p = prompt.strip().replaceAll("\\s+", " ");
                label = p.length() > LABEL ? p.substring(0, LABEL) + "…" : p;
            } else if (!toolUse.isEmpty()) {
                // what happened: the tools it used most, with their counts
                List<Map.Entry<String, Integer>> use = new ArrayList<>(new TreeMap<>(toolUse).entrySet());
                use.sort((a, b) -> Integer.compare(b.getValue(), a.getValue()));
                StringBuilder l = new StringBuilder();
                for (int i = 0; i < Math.min(2, use.size()); i++) {
                    Map.Entry<String, Integer> u = use.get(i);
                    l.append(i == 0 ? "" : ", ").append(u.getKey().isEmpty() ? "?" : u.getKey())
                            .append(u.getValue() > 1 ? " ×" + u.getValue() : "");
                }
                if (use.size() > 2) {
                    l.append(" and ").append(use.size() - 2).append(use.size() == 3 ? " other tool" : " other tools");
                }
                label = l.toString();
            } else {
                label = "Phase " + (index + 1);
            }
            return new Phase(index, label, start, Math.max(0, (end - start) * 1000), events, toolCalls, errors,
                    endedInError, retries, cost.costUsd(priceModel()), cost.totalTokens());
        }
    }

    public SessionAnalyzer(SessionMeta meta) {
        this(meta, PriceTable.standard());
    }

    public SessionAnalyzer(SessionMeta meta, PriceTable prices) {
        this(meta, prices, null);
    }

    /** Prices every token at {@code model} instead of the session's own model ({@code cost --model}). */
    public SessionAnalyzer(SessionMeta meta, PriceTable prices, PriceTable.Model model) {
        this.meta = meta;
        this.prices = prices;
        this.meter = new TokenMeter(prices);
        this.pricedAs = model;
    }

    private PriceTable.Model priceModel() {
        return pricedAs != null ? pricedAs : meter.priceModel();
    }

    /** Reads and explains one stored session. */
    public static SessionSummary analyze(TraceStore store, SessionMeta meta) {
        return analyze(store, meta, null);
    }

    /** {@link #analyze(TraceStore, SessionMeta)}, priced at {@code model} when it is not null. */
    public static SessionSummary analyze(TraceStore store, SessionMeta meta, PriceTable.Model model) {
        SessionAnalyzer a = new SessionAnalyzer(meta, PriceTable.standard(), model);
        List<String> warnings = store.forEachEvent(meta.sessionId, a);
        return a.finish(warnings);
    }

    @Override
    public void accept(TraceEvent e) {
        events++;
        String type = e.eventType() == null ? "?" : e.eventType();
        types.merge(type, 1L, Long::sum);
        double ts = e.timestamp();
        if (Double.isNaN(firstTs) || ts < firstTs) {
            firstTs = ts;
        }
        if (Double.isNaN(lastTs) || ts > lastTs) {
            lastTs = ts;
        }
        if (EventTypes.USER_PROMPT.equals(type)) {
            String prompt = EventFacts.text(e.data(), "prompt");
            if (phase != null && phase.prompt == null && phase.toolCalls == 0) {
                phase.prompt = prompt; // what came before the first prompt (session_start) belongs to it
            } else {
                newPhase(prompt, ts);
            }
        }
        if (phase == null) {
            newPhase(null, ts);
        }
        phase.events++;
        phase.end = Math.max(phase.end, ts);
        meter.observe(e);
        phase.cost.observe(e);
        switch (type) {
            case EventTypes.TOOL_CALL -> call(e);
            case EventTypes.TOOL_RESULT, EventTypes.ERROR -> answer(e);
            case EventTypes.FILE_READ -> EventFacts.paths(e).forEach(p -> capped(filesRead, p));
            case EventTypes.FILE_WRITE -> EventFacts.paths(e).forEach(p -> capped(filesWritten, p));
            case EventTypes.SESSION_END -> {
                Integer code = EventFacts.exitCode(e);
                if (code != null) {
                    exitCode = code;
                }
            }
            case EventTypes.DECISION -> linked(e);
            default -> {
                // decisions, prompts, responses: counted and priced above
            }
        }
    }

    /** A hook session's MCP call linked to the copy {@code record} recorded: the record copy is the one counted across sessions. */
    private void linked(TraceEvent e) {
        if (e.parentId() == null || e.data() == null || !"mcp_link".equals(e.data().path("kind").asText())) {
            return;
        }
        Call c = byEventId.get(e.parentId());
        if (c == null || c.linked) {
            return;
        }
        c.linked = true;
        linkedCalls++;
        if (c.failed && c.failureEventId != null) {
            linkedErrorIds.add(c.failureEventId);
        }
    }

    private void newPhase(String prompt, double ts) {
        if (phases.size() >= MAX_PHASES) {
            return; // the last phase keeps growing: a bounded answer for a session of a million prompts
        }
        phase = new PhaseBuilder(phases.size(), prompt, ts);
        phases.add(phase);
    }

    private void call(TraceEvent e) {
        toolCalls++;
        phase.toolCalls++;
        String tool = EventFacts.toolName(e);
        String name = tool == null ? "?" : tool;
        tools.computeIfAbsent(name, k -> new Tool()).calls++;
        phase.toolUse.merge(name, 1, Integer::sum);
        String sig = EventFacts.callSignature(e);
        if (sequence.size() < MAX_SEQUENCE) {
            sequence.add(sig);
            sequenceIds.add(e.eventId());
        }
        Call c = new Call(e.eventId(), name, sig, phase);
        c.write = EventFacts.isWrite(e);
        c.paths = EventFacts.paths(e); // placed when the answer says whether the call worked
        Call prev = previousCall;
        if (prev != null && prev.tool.equals(name) && (prev.failed || prev.signature.equals(sig))) {
            retryCount++;
            phase.retries++;
            if (openRetry != null) {
                openRetry = new Retry(openRetry.toolName(), openRetry.attempts() + 1, openRetry.afterError() || prev.failed,
                        openRetry.firstEventId(), openRetry.arguments());
                retries.set(retries.size() - 1, openRetry);
            } else if (retries.size() < MAX_RETRIES) {
                openRetry = new Retry(name, 2, prev.failed, prev.eventId, clip(argumentsOf(prev.signature), 200));
                retries.add(openRetry);
            }
        } else {
            openRetry = null;
        }
        previousCall = c;
        if (e.eventId() != null) {
            byEventId.put(e.eventId(), c);
            if (byEventId.size() > MAX_PENDING) {
                var it = byEventId.entrySet().iterator();
                Call oldest = it.next().getValue();
                it.remove();
                if (!oldest.answered) {
                    place(oldest);
                }
            }
        }
        JsonNode rid = e.data() == null ? null : e.data().get("request_id");
        if (rid != null && !rid.isNull()) {
            byRequestId.put(rid.toString(), c);
            if (byRequestId.size() > MAX_PENDING) {
                byRequestId.clear(); // rare: a session with ten thousand unanswered calls
            }
        }
    }

    private static String argumentsOf(String signature) {
        int sp = signature.indexOf(' ');
        return sp < 0 ? signature : signature.substring(sp + 1);
    }

    private void answer(TraceEvent e) {
        Call c = e.parentId() == null ? null : byEventId.get(e.parentId());
        JsonNode rid = e.data() == null ? null : e.data().get("request_id");
        if (c == null && rid != null && !rid.isNull()) {
            c = byRequestId.get(rid.toString());
        }
        if (c != null && c.answered && EventTypes.ERROR.equals(e.eventType())) {
            // a second report of the same failure (the proxy saw an error result and an error)
            if (!c.failed && EventFacts.isError(e)) {
                c.failed = true;
                for (String p : c.paths) {
                    (c.write ? filesWritten : filesRead).remove(p);
                    capped(filesFailed, p);
                }
                c.phase.endedInError = true;
            }
            return;
        }
        String tool = c != null ? c.tool : EventFacts.toolName(e);
        boolean failed = EventFacts.isError(e);
        if (c != null) {
            c.answered = true;
            c.failed |= failed;
            if (rid != null) {
                byRequestId.remove(rid.toString());
            }
            place(c);
            c.phase.endedInError = c.failed;
        } else if (failed) {
            phase.endedInError = true;
        }
        Tool t = tool == null ? null : tools.get(tool);
        if (t == null && tool != null && failed) {
            t = tools.computeIfAbsent(tool, k -> new Tool());
        }
        Double d = e.durationMs();
        if (t != null && d != null && c != null) {
            t.latency(d);
        }
        if (d != null && c != null) {
            slowest.add(new SlowCall(c.eventId, c.tool, d, failed));
            if (slowest.size() > SLOWEST) {
                slowest.poll();
            }
        }
        if (failed) {
            errorCount++;
            if (c != null && c.failureEventId == null) {
                c.failureEventId = e.eventId();
            }
            (c != null ? c.phase : phase).errors++;
            if (t != null) {
                t.errors++;
            }
            if (errors.size() < MAX_ERRORS) {
                JsonNode code = e.data() == null ? null : e.data().get("code");
                errors.add(new ErrorItem(e.eventId(), e.timestamp(), tool, code == null || code.isNull() ? null : code.asText(),
                        clip(EventFacts.errorMessage(e), 500)));
            }
        }
        if (EventTypes.TOOL_RESULT.equals(e.eventType()) && !failed) {
            for (String p : EventFacts.paths(e)) {
                capped(filesRead, p);
            }
        }
    }

    /** A call's paths, once its outcome is known (or never will be): read, written, or failed. */
    private void place(Call c) {
        for (String p : c.paths) {
            capped(c.failed ? filesFailed : c.write ? filesWritten : filesRead, p);
        }
        c.paths = List.of();
    }

    private static void capped(TreeSet<String> set, String p) {
        if (set.size() < MAX_FILES || set.contains(p)) {
            set.add(p);
        }
    }

    static String clip(String s, int max) {
        if (s == null) {
            return null;
        }
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    /** The summary of everything seen; {@code warnings} are the reader's (torn or corrupt lines). */
    public SessionSummary finish(List<String> warnings) {
        for (Call c : byEventId.values()) {
            if (!c.answered) {
                place(c); // no answer: what it asked for is listed as asked
            }
        }
        List<ToolStats> ts = new ArrayList<>();
        for (Map.Entry<String, Tool> en : tools.entrySet()) {
            Tool t = en.getValue();
            double[] sorted = java.util.Arrays.copyOf(t.latencies, t.timed);
            java.util.Arrays.sort(sorted);
            ts.add(new ToolStats(en.getKey(), t.calls, t.errors, t.calls == 0 ? (t.errors > 0 ? 1.0 : 0) : Math.min(1.0, (double) t.errors / t.calls),
                    Percentiles.nearestRank(sorted, 50), Percentiles.nearestRank(sorted, 95),
                    sorted.length == 0 ? null : sorted[sorted.length - 1], t.timed));
        }
        ts.sort((a, b) -> a.calls() != b.calls() ? Long.compare(b.calls(), a.calls()) : a.toolName().compareTo(b.toolName()));
        List<Phase> ps = new ArrayList<>();
        double wasted = 0;
        for (PhaseBuilder p : phases) {
            Phase built = p.build();
            ps.add(built);
            if (built.failed()) {
                wasted += built.costUsd();
            }
        }
        List<SlowCall> slow = new ArrayList<>(slowest);
        slow.sort((a, b) -> Double.compare(b.durationMs(), a.durationMs()));
        PriceTable.Model m = priceModel();
        Cost cost = new Cost(meter.model(), m.name(), meter.inputTokens(), meter.outputTokens(), meter.totalTokens(),
                meter.realTokens() ? "trace" : "estimate", meter.costUsd(m), wasted, prices.asOf());
        Double started = meta.startedAt != null ? meta.startedAt : Double.isNaN(firstTs) ? null : firstTs;
        Double ended = meta.endedAt;
        double duration;
        if (meta.totalDurationMs > 0) {
            duration = meta.totalDurationMs;
        } else if (ended != null && started != null) {
            duration = (ended - started) * 1000;
        } else if (!Double.isNaN(lastTs) && started != null) {
            duration = (lastTs - started) * 1000;
        } else {
            duration = 0;
        }
        List<String> w = warnings == null ? List.of() : warnings.subList(0, Math.min(MAX_ERRORS, warnings.size()));
        return new SessionSummary(meta.sessionId, meta.agentName, meta.command, started, ended, Math.max(0, duration), events,
                new LinkedHashMap<>(types), toolCalls, errorCount, exitCode, List.copyOf(ts), List.copyOf(ps), retryCount,
                List.copyOf(retries), List.copyOf(errors), List.copyOf(filesRead), List.copyOf(filesWritten), List.copyOf(filesFailed), List.copyOf(slow),
                cost, List.copyOf(w), List.copyOf(sequence), java.util.Collections.unmodifiableList(new ArrayList<>(sequenceIds)),
                linkedCalls, java.util.Set.copyOf(linkedErrorIds));
    }
}
