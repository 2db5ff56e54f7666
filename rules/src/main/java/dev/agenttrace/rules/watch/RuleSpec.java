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
