package dev.agenttrace.rules.watch;

import java.util.Locale;

/**
 * Too many of the latest calls fail: over the last {@code window} answered calls (at least
 * {@code minCalls} of them), the share that failed exceeds {@code maxRate}. Re-arms once the rate
 * is back under the limit.
 */
final class ErrorRateWatcher implements Watcher {
    private final RuleSpec rule;
    private final double maxRate;
    private final int minCalls;
    private final boolean[] ring;
    private long count;
    private int failed;

    ErrorRateWatcher(RuleSpec rule, double maxRate, int window, int minCalls) {
        this.rule = rule;
        this.maxRate = maxRate;
        this.minCalls = minCalls;
        this.ring = new boolean[window];
    }

    @Override
    public void onEvent(Observation o, Trips trips) {
        if (o.completed == null) {
            return;
        }
        int slot = (int) (count % ring.length);
        if (count >= ring.length && ring[slot]) {
            failed--;
        }
        ring[slot] = o.completed.failed;
        if (o.completed.failed) {
            failed++;
        }
        count++;
        int n = (int) Math.min(count, ring.length);
        double rate = (double) failed / n;
        if (n >= minCalls && rate > maxRate) {
            trips.trip(rule, "", String.format(Locale.ROOT, "%d of the last %d calls failed (%.0f%%, max %.0f%%)",
                            failed, n, rate * 100, maxRate * 100),
                    "Most calls are failing: stop and look at the errors before going on.", o.event, o.timestamp);
        } else if (rate <= maxRate) {
            trips.rearm(rule, "");
        }
    }
}
