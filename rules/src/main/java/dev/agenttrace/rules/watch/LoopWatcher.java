package dev.agenttrace.rules.watch;

import java.util.HashMap;
import java.util.Map;

/**
 * A loop: the last calls are one sequence of 2 to {@code sequenceLength} different calls repeated
 * {@code maxRepeats} times in a row (A→B→C→A→B→C→A→B→C); and, when a window is configured, one
 * call made {@code maxSameCalls} times within the last {@code window} calls (a spin loop that is
 * not contiguous). Calls are compared by tool and normalised arguments; a loop is reported once,
 * whichever call of the cycle completes it. A call repeated after failing is the retry watcher's.
 */
final class LoopWatcher implements Watcher {
    private final RuleSpec rule;
    private final int sequenceLength;
    private final int maxRepeats;
    private final int window;
    private final int maxSameCalls;
    private final long[] keys;
    private final String[] labels;
    private long count;
    private final Map<Long, Integer> inWindow = new HashMap<>();
    /** Calls whose latest answer was a failure: repeating those is a retry, not a spin. */
    private final java.util.Set<Long> failing = new java.util.HashSet<>();

    LoopWatcher(RuleSpec rule, int sequenceLength, int maxRepeats, int window, int maxSameCalls) {
        this.rule = rule;
        this.sequenceLength = sequenceLength;
        this.maxRepeats = maxRepeats;
        this.window = window;
        this.maxSameCalls = maxSameCalls;
        int size = Math.max(sequenceLength * maxRepeats, window) + 1;
        this.keys = new long[size];
        this.labels = new String[size];
    }

    @Override
    public void onEvent(Observation o, Trips trips) {
        Call done = o.completed;
        if (done != null) {
            if (done.failed) {
                if (failing.size() > 4_096) {
                    failing.clear();
                }
                failing.add(done.key);
            } else {
                failing.remove(done.key);
            }
        }
        Call c = o.call;
        if (c == null) {
            return;
        }
        if (window > 0 && count >= window) {
            long leaving = at(window - 1); // the call about to fall out of the window
            inWindow.computeIfPresent(leaving, (k, v) -> v <= 1 ? null : v - 1);
        }
        int slot = (int) (count % keys.length);
        keys[slot] = c.key;
        labels[slot] = c.tool;
        count++;
        if (window > 0) {
            int n = inWindow.merge(c.key, 1, Integer::sum);
            if (n >= maxSameCalls && !failing.contains(c.key)) {
                trips.trip(rule, "same:" + Long.toHexString(c.key),
                        c.display() + " was called " + n + " times within the last " + window + " calls",
                        "The agent is spinning on the same call: its result will not change; try something else or stop.",
                        o.event, o.timestamp);
            }
        }
        for (int p = 2; p <= sequenceLength; p++) {
            long need = (long) p * maxRepeats;
            if (count < need || !repeats(p, (int) need) || constant(p)) {
                continue;
            }
            trips.trip(rule, "seq:" + Long.toHexString(rotationKey(p)),
                    "the sequence " + sequence(p) + " repeated " + maxRepeats + " times in a row",
                    "The agent is going round in circles: the same " + p + " calls give the same results; change the plan.",
                    o.event, o.timestamp);
            return;
        }
    }

    /** The key {@code back} calls before the latest (0 = the latest). */
    private long at(int back) {
        return keys[(int) ((count - 1 - back) % keys.length)];
    }

    private String labelAt(int back) {
        return labels[(int) ((count - 1 - back) % labels.length)];
    }

    private boolean repeats(int p, int need) {
        for (int i = 0; i + p < need; i++) {
            if (at(i) != at(i + p)) {
                return false;
            }
        }
        return true;
    }

    private boolean constant(int p) {
        for (int i = 1; i < p; i++) {
            if (at(i) != at(0)) {
                return false;
            }
        }
        return true;
    }

    /** Same for every rotation of the cycle, so B→C→A is the loop already reported as A→B→C. */
    private long rotationKey(int p) {
        int start = 0;
        for (int i = 1; i < p; i++) {
            if (Long.compareUnsigned(at(i), at(start)) < 0) {
                start = i;
            }
        }
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < p; i++) {
            h ^= at((start + i) % p);
            h *= 0x100000001b3L;
        }
        return h;
    }

    private String sequence(int p) {
        StringBuilder b = new StringBuilder();
        for (int i = p - 1; i >= 0; i--) {
            b.append(labelAt(i));
            if (i > 0) {
                b.append(" → ");
            }
        }
        return b.toString();
    }
}
