package dev.agenttrace.rules.scope;

import java.util.List;

/**
 * {@code commands}.
 *
 * @param allow if non-empty, every simple command must match one of these (deny still wins)
 * @param deny  a simple command, or any wrapper layer of it, matching one of these is blocked
 */
public record CommandRules(List<CommandPattern> allow, List<CommandPattern> deny) {
    public static final CommandRules NONE = new CommandRules(List.of(), List.of());

    public CommandRules {
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
    }

    public boolean isEmpty() {
        return allow.isEmpty() && deny.isEmpty();
    }
}
