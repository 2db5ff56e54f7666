package dev.agenttrace.rules.watch;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * One configured rule: a watcher kind with its thresholds, what to do when it trips and how bad
 * that is. Immutable; {@link SessionWatch} makes a fresh {@link Watcher} from it per session.
 */
public final class RuleSpec {
    private final String name;
    private final String kind;
    private final Severity severity;
    private final Set<ActionKind> actions;
    private final String notify;
    private final String description;
    private final BiFunction<RuleSpec, SessionContext, Watcher> factory;
    private final double cooldownSeconds;

    /** Rules tripped by failures, which can clear: their breaker tries one call again after a cool-down. */
    private static final Set<String> TRANSIENT_KINDS = Set.of("retry", "loop", "error_rate", "error_kind", "test_failures", "hung",
            "silent_failure");
    /** The cool-down of a {@link #TRANSIENT_KINDS} rule that sets none. */
    public static final double DEFAULT_COOLDOWN_SECONDS = 60;

    /**
     * @param severity null for the default: critical when an action stops the agent (block, pause,
     *                 kill), else warning
     */
    RuleSpec(String name, String kind, Severity severity, Set<ActionKind> actions, String notify, String description,
             BiFunction<RuleSpec, SessionContext, Watcher> factory) {
        this.name = name;
        this.kind = kind;
        this.actions = actions.isEmpty() ? Set.of(ActionKind.TERMINAL) : Set.copyOf(actions);
        this.severity = severity != null ? severity
                : this.actions.stream().anyMatch(ActionKind.STOPPING::contains) ? Severity.CRITICAL : Severity.WARNING;
        this.notify = notify;
        this.description = description;
        this.factory = factory;
        this.cooldownSeconds = TRANSIENT_KINDS.contains(kind) ? DEFAULT_COOLDOWN_SECONDS : Double.NaN;
    }

    private RuleSpec(RuleSpec r, double cooldownSeconds) {
        this.name = r.name;
        this.kind = r.kind;
        this.severity = r.severity;
        this.actions = r.actions;
        this.notify = r.notify;
        this.description = r.description;
        this.factory = r.factory;
        this.cooldownSeconds = cooldownSeconds;
    }

    /** This rule with another cool-down ({@code NaN}: its breaker stays open until {@code agent-trace resume}). */
    RuleSpec withCooldown(double seconds) {
        return new RuleSpec(this, seconds);
    }

    /**
     * Seconds a {@code block} of this rule holds before one call is let through to test whether the
     * trouble has cleared (the half-open state); NaN when only {@code agent-trace resume} closes it.
     * Failures can clear, so the failure-driven rules default to {@value #DEFAULT_COOLDOWN_SECONDS} s;
     * budgets (cost, tokens, duration, files) and policy-like rules do not, so they default to NaN.
     */
    public double cooldownSeconds() {
        return cooldownSeconds;
    }

    /** {@code retry}, {@code loop}, ..., or the name a rules file gave. */
    public String name() {
        return name;
    }

    /** The watcher behind it: {@code retry}, {@code loop}, {@code cost}, {@code budget}, {@code rule}, ... */
    public String kind() {
        return kind;
    }

    public Severity severity() {
        return severity;
    }

    public Set<ActionKind> actions() {
        return actions;
    }

    /** A rules-file {@code notify} target, or null. */
    public String notifyTarget() {
        return notify;
    }

    /** One line for {@code watch check}: what trips it and what happens. */
    public String describe() {
        StringBuilder b = new StringBuilder(name).append(": ").append(description).append(" -> ");
        boolean first = true;
        for (ActionKind a : EnumSet.copyOf(actions)) {
            b.append(first ? "" : ", ").append(a.wireName());
            first = false;
        }
        b.append(" (").append(severity.wireName()).append(')');
        if (notify != null) {
            b.append(", notify ").append(notify);
        }
        if (actions.contains(ActionKind.BLOCK)) {
            b.append(Double.isNaN(cooldownSeconds) ? ", blocked until agent-trace resume"
                    : ", blocked for " + ThresholdWatcher.number(cooldownSeconds) + " s, then one call tries again");
        }
        return b.toString();
    }

    Watcher newWatcher(SessionContext context) {
        return factory.apply(this, context);
    }

    @Override
    public String toString() {
        return describe();
    }
}
