package dev.agenttrace.rules.watch;

import java.util.EnumMap;
import java.util.Map;

/**
 * Failures of one kind (timeout, invalid arguments, permission, rate limited, not found) reaching
 * a configured count in the session. Each kind trips once.
 */
final class ErrorKindWatcher implements Watcher {
    private final RuleSpec rule;
    private final Map<ErrorKind, Integer> limits;
    private final Map<ErrorKind, Integer> counts = new EnumMap<>(ErrorKind.class);

    ErrorKindWatcher(RuleSpec rule, Map<ErrorKind, Integer> limits) {
        this.rule = rule;
        this.limits = limits;
    }

    @Override
    public void onEvent(Observation o, Trips trips) {
        if (!o.failed || o.errorKind == null) {
            return;
        }
        int n = counts.merge(o.errorKind, 1, Integer::sum);
        Integer limit = limits.get(o.errorKind);
        if (limit != null && n >= limit) {
            String what = o.completed != null ? " (latest: " + o.completed.display() + ": " + RetryWatcher.clip(o.errorText == null ? "" : o.errorText) + ")"
                    : o.errorText == null ? "" : " (latest: " + RetryWatcher.clip(o.errorText) + ")";
            trips.trip(rule, o.errorKind.wireName(), n + " " + o.errorKind.wireName().replace('_', ' ') + " error" + (n == 1 ? "" : "s") + what,
                    suggestion(o.errorKind), o.event, o.timestamp);
        }
    }

    static String suggestion(ErrorKind k) {
        return switch (k) {
            case TIMEOUT -> "Calls are timing out: the server may be overloaded or the operation too large; narrow it or wait.";
            case INVALID_ARGUMENTS -> "The tool rejects the arguments: read its input schema and the error before calling it again.";
            case PERMISSION -> "The agent is hitting things it may not touch: stay inside what it is allowed to do.";
            case RATE_LIMITED -> "The service is rate limiting: back off instead of retrying at once.";
            case NOT_FOUND -> "The agent is asking for things that do not exist: list what does exist first.";
            case OTHER -> "Look at the errors before going on.";
        };
    }
}
