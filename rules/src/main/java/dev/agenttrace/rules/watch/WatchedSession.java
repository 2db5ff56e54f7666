package dev.agenttrace.rules.watch;

import dev.agenttrace.store.TraceEvent;
import java.util.List;

/**
 * A {@link SessionWatch} wired to its {@link AlertActions}: what a proxy holds per session.
 * {@link #observe} feeds an event and dispatches the alerts it trips (without waiting for them);
 * {@link #blocked()} is the question to ask before forwarding a {@code tools/call}.
 */
public final class WatchedSession {
    private final SessionWatch watch;
    private final AlertActions actions;
    private final SessionTarget target;

    public WatchedSession(SessionTarget target, AlertActions actions) {
        this.watch = target.watch();
        this.actions = actions;
        this.target = target;
    }

    public List<Alert> observe(TraceEvent event) {
        List<Alert> alerts = watch.observe(event);
        for (Alert a : alerts) {
            actions.dispatch(a, target);
        }
        return alerts;
    }

    public List<Alert> tick(double nowEpochSeconds) {
        List<Alert> alerts = watch.tick(nowEpochSeconds);
        for (Alert a : alerts) {
            actions.dispatch(a, target);
        }
        return alerts;
    }

    /** Non-null once the session is blocked: answer the call with {@link Block#blockedMessage} instead of forwarding it. */
    public Block blocked() {
        return watch.blocked();
    }

    /** Waits (at most {@code timeout}) until the alerts dispatched so far have been acted on and recorded. */
    public boolean awaitActions(java.time.Duration timeout) {
        return actions.awaitIdle(timeout);
    }

    public SessionWatch watch() {
        return watch;
    }

    public SessionTarget target() {
        return target;
    }
}
