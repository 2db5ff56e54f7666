package dev.agenttrace.rules.watch;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A failure the agent ignored: a call failed, and the next call goes on with something unrelated
 * as if nothing happened. Reacting means any of: reasoning in between (an llm or assistant event,
 * a prompt), retrying or correcting with the same tool, or a call that touches what failed (a
 * string argument equal to, containing or contained in one of the failed call's). Heuristic by
 * nature: a warning, not a verdict.
 */
final class SilentFailureWatcher implements Watcher {
    private final RuleSpec rule;
    private Call failedCall;
    private String failure;

    SilentFailureWatcher(RuleSpec rule) {
        this.rule = rule;
    }

    @Override
    public void onEvent(Observation o, Trips trips) {
        if (o.reasoning) {
            failedCall = null;
            return;
        }
        Call c = o.call;
        if (c != null && failedCall != null) {
            Call f = failedCall;
            failedCall = null;
            if (!c.tool.equals(f.tool) && !related(f.arguments, c.arguments)) {
                trips.trip(rule, f.eventId,
                        f.display() + " failed" + (failure == null || failure.isBlank() ? "" : " (" + RetryWatcher.clip(failure) + ")")
                                + " and the agent went on with " + c.display() + " as if it had not",
                        "A step failed: deal with the failure (or report it) before building on it.", o.event, o.timestamp);
            }
        }
        if (o.completed != null && o.completed.failed) {
            failedCall = o.completed;
            failure = o.errorText;
        }
    }

    private static boolean related(JsonNode failedArgs, JsonNode nextArgs) {
        List<String> a = strings(failedArgs);
        if (a.isEmpty()) {
            return false;
        }
        for (String b : strings(nextArgs)) {
            for (String s : a) {
                if (s.equals(b) || s.contains(b) || b.contains(s)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        collect(n, out);
        return out;
    }

    private static void collect(JsonNode n, List<String> out) {
        if (n == null || out.size() > 50) {
            return;
        }
        if (n.isTextual()) {
            String s = n.textValue().strip();
            if (s.length() >= 3) {
                out.add(s.length() > 2_000 ? s.substring(0, 2_000) : s);
            }
        } else if (n.isContainerNode()) {
            for (JsonNode child : n) {
                collect(child, out);
            }
        }
    }
}
