package dev.agenttrace.rules.scope;

import dev.agenttrace.rules.scope.paths.PathGlob;
import java.util.List;

/**
 * {@code files.read} or {@code files.write}.
 *
 * @param allow if non-empty, a path must match one of these (deny patterns still win)
 * @param deny  a path matching one of these is blocked
 */
public record FileAccessRules(List<PathGlob> allow, List<PathGlob> deny) {
    public static final FileAccessRules NONE = new FileAccessRules(List.of(), List.of());

    public FileAccessRules {
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
    }

    public boolean isEmpty() {
        return allow.isEmpty() && deny.isEmpty();
    }
}
