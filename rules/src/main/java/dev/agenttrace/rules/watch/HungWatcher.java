package dev.agenttrace.rules.watch;

/**
 * A hung call: a call is waiting for its answer and nothing at all has happened in the session
 * for {@code maxSeconds}. Time comes from the clock ticks (live and inline) or, in a replay, from
 * the next event's timestamp. Once per call.
 */
final class HungWatcher implements Watcher {
    private final RuleSpec rule;
    private final double maxSeconds;

    HungWatcher(RuleSpec rule, double maxSeconds) {
        this.rule = rule;
        this.maxSeconds = maxSeconds;
    }

    @Override
    public void onEvent(Observation o, Trips trips) {
        // judged on ticks; SessionWatch ticks with each event's timestamp before it
    }

    @Override
    public void onTick(double now, SessionState s, Trips trips) {
        Call c = s.oldestOutstanding();
        if (c == null || Double.isNaN(s.lastEventTs)) {
            return;
        }
        double quiet = now - s.lastEventTs;
        if (quiet >= maxSeconds) {
            trips.trip(rule, c.eventId, String.format(java.util.Locale.ROOT,
                            "%s has been waiting %.0f s for an answer with no traffic for %.0f s (max %s s)",
                            c.display(), now - c.timestamp, quiet, ThresholdWatcher.number(maxSeconds)),
                    "The call looks stuck: cancel it, or check the server it went to.", null, now);
        }
    }
}
