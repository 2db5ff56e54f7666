package dev.agenttrace.rules.watch;

import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.cost.PriceTable;
import java.util.ArrayList;
import java.util.List;

/**
 * The watchers of one session and the state they share: the single implementation behind all
 * three modes. Inline, a proxy feeds each event before the call is forwarded and then asks
 * {@link #blocked()}; {@code agent-trace watch} feeds the events it tails; {@code lint} the stored
 * ones. Time comes only from event timestamps and {@link #tick}, so a replay trips exactly where
 * the live session did.
 *
 * <p>Thread-safe (a proxy's two relay threads may both feed it); {@link #blocked()} takes no lock.
 */
public final class SessionWatch {
    private final SessionState state;
    private final List<Watcher> watchers = new ArrayList<>();
    private final Trips trips;
    private final List<Alert> history = new ArrayList<>();
    private volatile Block block;

    public SessionWatch(WatchConfig config, SessionContext context) {
        this.state = new SessionState(context, config.tools(), PriceTable.standard(), config.costModel());
        this.trips = new Trips(context.sessionId());
        for (RuleSpec r : config.rules()) {
            watchers.add(r.newWatcher(context));
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
            return settle();
        }
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
            if (block == null && a.has(ActionKind.BLOCK)) {
                block = new Block(a);
            }
        }
        return out;
    }

    /** Non-null once a rule with {@code block} tripped: refuse every tool call of the session with its text. */
    public Block blocked() {
        return block;
    }

    /** Lets tool calls through again (the operator decided; the rule stays tripped). */
    public void unblock() {
        block = null;
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
