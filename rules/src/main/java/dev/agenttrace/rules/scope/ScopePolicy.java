package dev.agenttrace.rules.scope;

import dev.agenttrace.rules.scope.network.HostPattern;
import dev.agenttrace.rules.scope.paths.PathGlob;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A parsed {@code .agent-scope.json}: immutable, every pattern compiled, safe to share between
 * threads and to swap atomically when the file is edited.
 *
 * @param source   where it came from (a file name), for messages
 * @param read     {@code files.read}
 * @param write    {@code files.write}
 * @param commands {@code commands}
 * @param network  {@code network}
 * @param tools    the default tool table extended by the policy's {@code tools} section
 * @param warnings things that parse but probably do not do what the author meant
 * @param protect  whether the built-in write protection of the firewall's own files and the agents'
 *                 hook and MCP configuration is on ({@link ProtectedPaths}); only
 *                 {@code "protect": false} in the file turns it off
 */
public record ScopePolicy(String source, FileAccessRules read, FileAccessRules write, CommandRules commands,
                          NetworkRules network, ToolTable tools, List<String> warnings, boolean protect) {

    public ScopePolicy {
        warnings = List.copyOf(warnings);
    }

    public ScopePolicy(String source, FileAccessRules read, FileAccessRules write, CommandRules commands,
                       NetworkRules network, ToolTable tools, List<String> warnings) {
        this(source, read, write, commands, network, tools, warnings, true);
    }

    /** The policy of an empty file or {@code {}}: it allows every call. */
    public static ScopePolicy empty(String source) {
        return new ScopePolicy(source, FileAccessRules.NONE, FileAccessRules.NONE, CommandRules.NONE, NetworkRules.NONE,
                ToolTable.defaults(), List.of());
    }

    /** True if no rule can ever block a call. */
    public boolean allowsEverything() {
        return read.isEmpty() && write.isEmpty() && commands.isEmpty() && !network.denyAll();
    }

    /**
     * A few lines a user reads at start-up to know what is enforced, e.g. that an empty policy
     * allows everything, or that an allow list denies whatever it does not name.
     */
    public String describe() {
        StringBuilder b = new StringBuilder();
        b.append("policy ").append(source).append(':');
        if (allowsEverything()) {
            b.append(" empty: every tool call is allowed (no files, commands or network rules)");
        } else {
            files(b, "files.read", read);
            files(b, "files.write", write);
            if (!commands.isEmpty()) {
                b.append("\n  commands: ");
                list(b, commands.allow(), commands.deny(), CommandPattern::text, "command");
            }
            if (network.denyAll()) {
                b.append("\n  network: deny_all, except ");
                b.append(network.allow().isEmpty() ? "nothing (no host is allowed)" : names(network.allow(), HostPattern::text));
            }
        }
        int extraTools = 0;
        for (ToolSpec s : tools.entries()) {
            if (ToolTable.defaults().lookup(s.name()).map(d -> !d.equals(s)).orElse(true)) {
                extraTools++;
            }
        }
        if (extraTools > 0) {
            b.append("\n  tools: ").append(extraTools).append(" tool").append(extraTools == 1 ? "" : "s")
                    .append(" added to the default table");
        }
        if (!commands.trust().isEmpty()) {
            b.append("\n  commands.trust: ").append(names(commands.trust(), CommandPattern::text))
                    .append(" run although the firewall cannot see what they do");
        }
        b.append(protect ? "\n  protected: policy and watch files, the trace store, agents' hook and MCP configuration (no call may write them)"
                : "\n  warning: \"protect\": false, so a call may rewrite this policy and the agents' hook and MCP configuration");
        for (String w : warnings) {
            b.append("\n  warning: ").append(w);
        }
        return b.toString();
    }

    private static void files(StringBuilder b, String section, FileAccessRules rules) {
        if (rules.isEmpty()) {
            return;
        }
        b.append("\n  ").append(section).append(": ");
        list(b, rules.allow(), rules.deny(), PathGlob::text, "path");
    }

    private static <T> void list(StringBuilder b, List<T> allow, List<T> deny, Function<T, String> text, String what) {
        List<String> parts = new ArrayList<>();
        if (!allow.isEmpty()) {
            parts.add("only " + names(allow, text) + " (every other " + what + " is denied)");
        }
        if (!deny.isEmpty()) {
            parts.add("deny " + names(deny, text));
        }
        b.append(String.join("; ", parts));
    }

    private static <T> String names(List<T> items, Function<T, String> text) {
        List<String> quoted = new ArrayList<>();
        for (T t : items) {
            quoted.add("\"" + text.apply(t) + "\"");
        }
        return String.join(", ", quoted);
    }
}
