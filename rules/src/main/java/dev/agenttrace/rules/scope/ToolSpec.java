package dev.agenttrace.rules.scope;

import java.util.ArrayList;
import java.util.List;

/**
 * What the firewall judges in calls of one tool.
 *
 * @param name      the tool name as listed (matched case-insensitively)
 * @param arguments the arguments to judge; empty for a tool declared to touch nothing the policy
 *                  governs (kind {@code none}), which is then never judged heuristically
 */
public record ToolSpec(String name, List<ArgumentBinding> arguments) {

    public ToolSpec {
        arguments = List.copyOf(arguments);
    }

    /** {@code of("move_file", "source", FILE_READ, "source", FILE_WRITE, "destination", FILE_WRITE)}. */
    public static ToolSpec of(String name, Object... keyKindPairs) {
        List<ArgumentBinding> list = new ArrayList<>();
        for (int i = 0; i < keyKindPairs.length; i += 2) {
            list.add(new ArgumentBinding((String) keyKindPairs[i], (ArgumentKind) keyKindPairs[i + 1]));
        }
        return new ToolSpec(name, list);
    }
}
