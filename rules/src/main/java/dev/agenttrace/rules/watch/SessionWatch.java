package dev.agenttrace.rules.watch;

import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.cost.PriceTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The watchers of one session and the state they share: the single implementation behind all
 * three modes. Inline, a proxy feeds each event before the call is forwarded and then asks
 * {@link #blocked()}; {@code agent-trace watch} feeds the events it tails; {@code lint} the stored
 * ones. Time comes only from event timestamps and {@link #tick}, so a replay trips exactly where
 * the live session did.
 *
 * <p>A rule that says {@code block} opens the session's breaker: {@link #blocked()} refuses every
 * call. After the rule's cool-down ({@link RuleSpec#cooldownSeconds()}) the next call is let
 * through alone (half-open) while any other is refused; its success closes the breaker (and
 * re-arms the rule), its failure opens it again for twice the cool-down (at most
 * {@value #MAX_COOLDOWN_SECONDS} s). A rule without a cool-down holds until {@link #unblock()}
 * ({@code agent-trace resume}). Each change is a trace event ({@link #drainBreakerEvents()}).
 *
 * <p>Thread-safe (a proxy's two relay threads may both feed it); {@link #blocked()} takes no lock.
 */
public final class SessionWatch {
    private final SessionState state;
    private final List<Watcher> watchers = new ArrayList<>();
    private final Trips trips;
    private final List<Alert> history = new ArrayList<>();
    private volatile Block block;
    private final Map<String, Double> cooldowns = new HashMap<>();
    /** Longest wait between two test calls, however often they fail. */
    public static final double MAX_COOLDOWN_SECONDS = 900;

    private enum Breaker { CLOSED, OPEN, HALF_OPEN }

    private Breaker breaker = Breaker.CLOSED;
    private Block opened;          // what opened the breaker (kept while a test call runs)
    private double testAt;         // epoch seconds from which a call may test (NaN: only unblock)
    private double cooldown;       // the current wait (doubles with each failed test)
    private String probe;          // event id of the test call while half-open
    private final List<TraceEvent> breakerEvents = new ArrayList<>(0);

    public SessionWatch(WatchConfig config, SessionContext context) {
        this.state = new SessionState(context, config.tools(), PriceTable.standard(), config.costModel());
        this.trips = new Trips(context.sessionId());
        for (RuleSpec r : config.rules()) {
            watchers.add(r.newWatcher(context));
            cooldowns.put(r.name(), r.cooldownSeconds());
        }
    }

    public String sessionId() {
        return state.context.sessionId();
    }

    /**
     * Feeds one event (in the order the session produced them) and returns the rules it tripped,
     * usually none. An alert whose rule says {@code block} also blocks the session from here on,
     * including the tool call just observed.
     */
    public List<Alert> observe(TraceEvent event) {
        synchronized (this) {
            tickLocked(event.timestamp());
            Observation o = state.update(event);
            if (!o.ignored) {
                for (Watcher w : watchers) {
                    w.onEvent(o, trips);
                }
            }
            boolean wasOpen = breaker != Breaker.CLOSED;
            List<Alert> out = settle();
            boolean tripped = wasOpen && !out.isEmpty() && out.stream().anyMatch(a -> a.has(ActionKind.BLOCK));
            if (o.ignored) {
                resumedInTrace(event);
            } else if (!tripped) {
                step(o);
            }
            return out;
        }
    }

    /** A test call arrives, or its answer: the half-open part of the breaker. */
    private void step(Observation o) {
        if (breaker == Breaker.CLOSED) {
            return;
        }
        if (o.call != null) {
            if (breaker == Breaker.OPEN && !Double.isNaN(testAt) && o.timestamp >= testAt) {
                breaker = Breaker.HALF_OPEN;
                probe = o.call.eventId;
                block = null;
                breakerEvents.add(AlertEvents.breaker(sessionId(), "half_open", opened.rule(), "the cool-down of "
                        + ThresholdWatcher.number(cooldown) + " s is over: this call is let through to test whether \""
                        + opened.rule() + "\" has cleared", o.timestamp, probe, Double.NaN));
            } else if (breaker == Breaker.HALF_OPEN && !o.call.eventId.equals(probe)) {
                block = opened; // one test call at a time
            }
        }
        if (breaker == Breaker.HALF_OPEN && o.completed != null && o.completed.eventId.equals(probe)) {
            if (o.failed) {
                cooldown = Math.min(Math.max(cooldown * 2, cooldowns.getOrDefault(opened.rule(), cooldown)), MAX_COOLDOWN_SECONDS);
                reopen(o.timestamp, probe, "the test call failed" + (o.errorText == null ? "" : " (" + clip(o.errorText) + ")")
                        + ": blocked again for " + ThresholdWatcher.number(cooldown) + " s");
            } else {
                close(o.timestamp, probe, "the test call succeeded: tool calls flow again");
            }
        }
    }

    private void reopen(double ts, String parent, String reason) {
        breaker = Breaker.OPEN;
        probe = null;
        testAt = ts + cooldown;
        opened = new Block(opened.alert(), cooldown);
        block = opened;
        breakerEvents.add(AlertEvents.breaker(sessionId(), "open", opened.rule(), reason, ts, parent, cooldown));
    }

    private void close(double ts, String parent, String reason) {
        if (breaker == Breaker.CLOSED) {
            return;
        }
        trips.rearm(opened.alert());
        breakerEvents.add(AlertEvents.breaker(sessionId(), "closed", opened.rule(), reason, ts, parent, Double.NaN));
        breaker = Breaker.CLOSED;
        opened = null;
        probe = null;
        block = null;
    }

    /** A replayed trace holds the close that {@code agent-trace resume} made live: it holds here too. */
    private void resumedInTrace(TraceEvent e) {
        if (breaker != Breaker.CLOSED && e.data() != null && AlertEvents.BREAKER_KIND.equals(e.data().path("kind").asText())
                && "closed".equals(e.data().path("choice").asText()) && "resume".equals(e.data().path("by").asText())) {
            trips.rearm(opened.alert());
            breaker = Breaker.CLOSED;
            opened = null;
            probe = null;
            block = null;
        }
    }

    private static String clip(String s) {
        String t = s.strip().replaceAll("\\s+", " ");
        return t.length() <= 120 ? t : t.substring(0, 117) + "...";
    }

    /**
     * The clock moved ({@code now} in epoch seconds): trips what time alone can trip (a call hung
     * with no traffic, the duration limit). Call it about once a second while a session is live.
     */
    public List<Alert> tick(double now) {
        synchronized (this) {
            tickLocked(now);
            return settle();
        }
    }

    private void tickLocked(double now) {
        if (state.ended || Double.isNaN(state.start)) {
            return;
        }
        for (Watcher w : watchers) {
            w.onTick(now, state, trips);
        }
    }

    private List<Alert> settle() {
        List<Alert> out = trips.drain();
        for (Alert a : out) {
            history.add(a);
            if (a.has(ActionKind.BLOCK)) {
                double c = cooldowns.getOrDefault(a.rule(), Double.NaN);
                if (breaker == Breaker.CLOSED) {
                    breaker = Breaker.OPEN;
                    cooldown = c;
                    testAt = a.timestamp() + c;
                    opened = new Block(a, c);
                    block = opened;
                } else {
                    // tripped again while open or testing: the newer trip sets the wait
                    String parent = probe;
                    if (Double.isNaN(c) || Double.isNaN(cooldown)) {
                        cooldown = Double.NaN;
                    } else {
                        cooldown = Math.max(cooldown, c);
                    }
                    Alert first = opened.alert();
                    opened = new Block(a, cooldown);
                    trips.rearm(first);
                    if (breaker == Breaker.HALF_OPEN) {
                        reopen(a.timestamp(), parent, "rule \"" + a.rule() + "\" tripped on the test call");
                    } else {
                        testAt = a.timestamp() + cooldown;
                        block = opened;
                    }
                }
            }
        }
        return out;
    }

    /** Non-null once a rule with {@code block} tripped: refuse every tool call of the session with its text. */
    public Block blocked() {
        return block;
    }

    /**
     * Closes the breaker at once ({@code agent-trace resume}: the operator decided); the rule is
     * re-armed. Returns the event that records it, or null when the breaker was not open.
     */
    public synchronized TraceEvent unblock() {
        if (breaker == Breaker.CLOSED) {
            block = null;
            return null;
        }
        String rule = opened.rule();
        double ts = Double.isNaN(state.lastEventTs) ? System.currentTimeMillis() / 1000.0 : Math.max(state.lastEventTs,
                System.currentTimeMillis() / 1000.0);
        close(ts, null, "agent-trace resume closed the breaker of \"" + rule + "\"");
        TraceEvent e = breakerEvents.remove(breakerEvents.size() - 1);
        ((com.fasterxml.jackson.databind.node.ObjectNode) e.data()).put("by", "resume");
        return e;
    }

    /** Whether the breaker is open or testing. */
    public synchronized boolean breakerOpen() {
        return breaker != Breaker.CLOSED;
    }

    /** The breaker's state changes since the last call, as trace events, in order. */
    public synchronized List<TraceEvent> drainBreakerEvents() {
        if (breakerEvents.isEmpty()) {
            return List.of();
        }
        List<TraceEvent> out = List.copyOf(breakerEvents);
        breakerEvents.clear();
        return out;
    }

    /** Every alert so far, in order. */
    public synchronized List<Alert> alerts() {
        return List.copyOf(history);
    }

    /** The last events seen (up to 20), for a post-mortem. */
    public synchronized List<TraceEvent> recentEvents() {
        return state.recentEvents();
    }

    /** The counters at {@code now} (epoch seconds); an ended session's elapsed time stops at its last event. */
    public synchronized SessionCounters counters(double now) {
        List<String> tripped = new ArrayList<>();
        for (Alert a : history) {
            if (!tripped.contains(a.rule())) {
                tripped.add(a.rule());
            }
        }
        double until = state.ended || Double.isNaN(now) ? state.lastEventTs : now;
        Block b = block;
        return new SessionCounters(sessionId(), state.toolCalls, state.errors, state.costUsd(), !state.realTokens(),
                state.totalTokens(), state.priceModel().name(), Double.isNaN(until) ? 0 : state.elapsedSeconds(until),
                state.filesModified.size(), state.consecutiveTestFailures, state.outstandingCount(), state.ended, tripped,
                b == null ? null : b.rule());
    }

    /** The last tool call seen, as {tool_name, arguments}, for a post-mortem; null if none. */
    synchronized Call lastCall() {
        return state.lastCall;
    }

    /** Epoch seconds of the latest event, or NaN before the first. */
    public synchronized double lastEventTimestamp() {
        return state.lastEventTs;
    }

    public synchronized boolean ended() {
        return state.ended;
    }
}
