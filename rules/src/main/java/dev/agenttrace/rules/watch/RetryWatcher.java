package dev.agenttrace.rules.watch;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A retry storm: the same tool with the same normalised arguments, called again after it failed
 * (an error, or a result with {@code isError}), more than {@code max} times in a row. It trips on
 * the call itself, before it runs, so inline {@code block} stops that call. A success of the call
 * resets its count. agent-strace counted only {@code bash} command strings, failed or not.
 */
final class RetryWatcher implements Watcher {
    private static final int MAX_TRACKED = 4_096;

    private static final class Track {
        boolean lastFailed;
        int retries;
        String lastError;
    }

    private final RuleSpec rule;
    private final int max;
    private final Map<Long, Track> tracks = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Track> eldest) {
            return size() > MAX_TRACKED;
        }
    };

    RetryWatcher(RuleSpec rule, int max) {
        this.rule = rule;
        this.max = max;
    }

    @Override
    public void onEvent(Observation o, Trips trips) {
        Call c = o.call;
        if (c != null) {
            Track t = tracks.get(c.key);
            if (t != null && t.lastFailed) {
                t.retries++;
                if (t.retries > max) {
                    trips.trip(rule, Long.toHexString(c.key),
                            c.display() + " failed and was retried " + t.retries + " times with the same arguments (max " + max + ")"
                                    + (t.lastError == null || t.lastError.isBlank() ? "" : "; last error: " + clip(t.lastError)),
                            "The call keeps failing the same way: read the error and change the arguments or the approach instead of retrying.",
                            o.event, o.timestamp);
                }
            }
        }
        Call done = o.completed;
        if (done != null) {
            Track t = tracks.computeIfAbsent(done.key, k -> new Track());
            if (done.failed) {
                t.lastFailed = true;
                t.lastError = o.errorText;
            } else {
                t.lastFailed = false;
                t.retries = 0;
                trips.rearm(rule, Long.toHexString(done.key));
            }
        }
    }

    static String clip(String s) {
        String one = s.replace('\n', ' ').replace('\r', ' ').strip();
        return one.length() <= 120 ? "\"" + one + "\"" : "\"" + one.substring(0, 119) + "…\"";
    }
}
