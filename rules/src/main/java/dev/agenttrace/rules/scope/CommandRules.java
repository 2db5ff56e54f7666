package dev.agenttrace.rules.scope;

import java.util.List;

/**
 * {@code commands}.
 *
 * @param allow if non-empty, every simple command must match one of these (deny still wins)
 * @param deny  a simple command, or any wrapper layer of it, matching one of these is blocked
 * @param trust commands whose effects the firewall cannot see but the user accepts: a command
 *              matching one ({@code "python3 -c"}, {@code "tmux"}) is not refused as undetermined.
 *              Unlike {@code allow} it restricts nothing else; deny rules, and the files and hosts
 *              that can still be seen in the command, are judged as always
 */
public record CommandRules(List<CommandPattern> allow, List<CommandPattern> deny, List<CommandPattern> trust) {
    public static final CommandRules NONE = new CommandRules(List.of(), List.of(), List.of());

    public CommandRules {
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
        trust = List.copyOf(trust);
    }

    public CommandRules(List<CommandPattern> allow, List<CommandPattern> deny) {
        this(allow, deny, List.of());
    }

    /** No allow or deny rule (trust entries alone restrict nothing). */
    public boolean isEmpty() {
        return allow.isEmpty() && deny.isEmpty();
    }
}
