package dev.agenttrace.rules.watch;

import dev.agenttrace.rules.scope.ScopePolicy;
import dev.agenttrace.rules.scope.paths.PathGlob;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/** The rules a configuration can hold, built one way for the parser and the built-in defaults. */
final class Watchers {
    private Watchers() {
    }

    static RuleSpec retry(int max, Set<ActionKind> actions, Severity severity) {
        return new RuleSpec("retry", "retry", severity, actions, null,
                "a failing call retried with the same arguments more than " + max + " times",
                (r, ctx) -> new RetryWatcher(r, max));
    }

    static RuleSpec loop(int sequenceLength, int maxRepeats, int window, int maxSameCalls, Set<ActionKind> actions, Severity severity) {
        String what = "a sequence of up to " + sequenceLength + " calls repeated " + maxRepeats + " times in a row"
                + (window > 0 ? "; the same call " + maxSameCalls + " times within " + window + " calls" : "");
        return new RuleSpec("loop", "loop", severity, actions, null, what,
                (r, ctx) -> new LoopWatcher(r, sequenceLength, maxRepeats, window, maxSameCalls));
    }

    static RuleSpec cost(double maxDollars, Set<ActionKind> actions, Severity severity) {
        return threshold("cost", "cost", Metric.COST_USD, ThresholdWatcher.Op.GT, maxDollars, actions, null, severity,
                "The session is over its budget: wrap up, or raise the limit deliberately.");
    }

    /** Budget proximity: a warning at a fraction of the cost limit, with only the cost rule's notifying actions. */
    static RuleSpec budget(double maxDollars, double warnAt, Set<ActionKind> costActions) {
        Set<ActionKind> notifying = java.util.EnumSet.of(ActionKind.TERMINAL);
        for (ActionKind a : costActions) {
            if (!ActionKind.STOPPING.contains(a)) {
                notifying.add(a);
            }
        }
        double at = maxDollars * warnAt;
        return new RuleSpec("budget", "budget", Severity.WARNING, notifying, null,
                String.format(Locale.ROOT, "cost reaches %.0f%% of the $%s limit ($%s)", warnAt * 100,
                        ThresholdWatcher.number(maxDollars), ThresholdWatcher.number(at)),
                (r, ctx) -> new ThresholdWatcher(r, Metric.COST_USD, ThresholdWatcher.Op.GE, at,
                        "The session is close to its budget: plan to finish within it."));
    }

    static RuleSpec tokens(long max, Set<ActionKind> actions, Severity severity) {
        return threshold("tokens", "tokens", Metric.TOTAL_TOKENS, ThresholdWatcher.Op.GT, max, actions, null, severity,
                "The session has used a lot of tokens: summarise and finish, or start a fresh session.");
    }

    static RuleSpec context(double percent, Set<ActionKind> actions, Severity severity) {
        return threshold("context", "tokens", Metric.CONTEXT_PCT, ThresholdWatcher.Op.GE, percent, actions, null, severity,
                "The context window is nearly full: compact or summarise before it overflows.");
    }

    static RuleSpec duration(double maxMinutes, Set<ActionKind> actions, Severity severity) {
        return threshold("duration", "duration", Metric.DURATION_MINUTES, ThresholdWatcher.Op.GT, maxMinutes, actions, null, severity,
                "The session has run longer than allowed: check whether it is still making progress.");
    }

    static RuleSpec filesModified(int max, Set<ActionKind> actions, Severity severity) {
        return threshold("files_modified", "files_modified", Metric.FILES_MODIFIED, ThresholdWatcher.Op.GT, max, actions, null, severity,
                "The agent has changed more files than expected: review the changes before it goes on.");
    }

    static RuleSpec testFailures(int consecutive, Set<ActionKind> actions, Severity severity) {
        return threshold("test_failures", "test_failures", Metric.CONSECUTIVE_TEST_FAILURES, ThresholdWatcher.Op.GE, consecutive,
                actions, null, severity, "The tests keep failing: stop changing code blindly and read the failures.");
    }

    static RuleSpec scope(ScopePolicy policy, Set<ActionKind> actions, Severity severity) {
        return new RuleSpec("scope", "scope", severity, actions, null, "a call the firewall policy " + policy.source() + " would block",
                (r, ctx) -> new ScopeWatcher(r, policy, ctx));
    }

    static RuleSpec errorRate(double maxRate, int window, int minCalls, Set<ActionKind> actions, Severity severity) {
        return new RuleSpec("error_rate", "error_rate", severity, actions, null,
                String.format(Locale.ROOT, "more than %.0f%% of the last %d calls fail (at least %d calls)", maxRate * 100, window, minCalls),
                (r, ctx) -> new ErrorRateWatcher(r, maxRate, window, minCalls));
    }

    static RuleSpec errorKinds(Map<ErrorKind, Integer> limits, Set<ActionKind> actions, Severity severity) {
        StringJoiner j = new StringJoiner(", ");
        limits.forEach((k, n) -> j.add(n + " " + k.wireName()));
        return new RuleSpec("error_kind", "error_kind", severity, actions, null, "errors of one kind: " + j,
                (r, ctx) -> new ErrorKindWatcher(r, Map.copyOf(limits)));
    }

    static RuleSpec silentFailure(Set<ActionKind> actions, Severity severity) {
        return new RuleSpec("silent_failure", "silent_failure", severity, actions, null,
                "a failed call followed by an unrelated call, with no reaction in between", (r, ctx) -> new SilentFailureWatcher(r));
    }

    static RuleSpec hung(double maxSeconds, Set<ActionKind> actions, Severity severity) {
        return new RuleSpec("hung", "hung", severity, actions, null,
                "a call waiting with no traffic for " + ThresholdWatcher.number(maxSeconds) + " s", (r, ctx) -> new HungWatcher(r, maxSeconds));
    }

    static RuleSpec operation(String tool, String pattern, String reason, Set<ActionKind> actions, Severity severity) {
        return new RuleSpec("operation " + tool + " \"" + pattern + "\"", "operation", severity, actions, null,
                "a " + ("*".equals(tool) ? "call" : tool + " call") + " whose target matches \"" + pattern + "\""
                        + (reason == null || reason.isBlank() ? "" : " (" + reason + ")"),
                (r, ctx) -> new OperationWatcher(r, tool, pattern, reason));
    }

    static RuleSpec metricRule(String name, Metric metric, ThresholdWatcher.Op op, double value, Set<ActionKind> actions,
                               String notify, Severity severity) {
        return threshold(name, "rule", metric, op, value, actions, notify, severity, "Rule \"" + name + "\" of the watch rules tripped.");
    }

    static RuleSpec pathRule(String name, PathGlob glob, Set<ActionKind> actions, String notify, Severity severity) {
        return new RuleSpec(name, "rule", severity, actions, notify, "file_path matches \"" + glob.text() + "\"",
                (r, ctx) -> new PathRuleWatcher(r, glob, ctx));
    }

    private static RuleSpec threshold(String name, String kind, Metric metric, ThresholdWatcher.Op op, double limit,
                                      Set<ActionKind> actions, String notify, Severity severity, String suggestion) {
        return new RuleSpec(name, kind, severity, actions, notify, metric.wireName() + " " + op.symbol + " " + ThresholdWatcher.number(limit),
                (r, ctx) -> new ThresholdWatcher(r, metric, op, limit, suggestion));
    }
}
