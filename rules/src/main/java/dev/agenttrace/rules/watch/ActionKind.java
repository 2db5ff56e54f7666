package dev.agenttrace.rules.watch;

import java.util.Locale;
import java.util.Set;

/**
 * What happens when a rule trips (docs/DESIGN.md §7). {@code block} is applied by the proxy that feeds
 * the watch inline ({@link SessionWatch#blocked()}); the others by {@link AlertActions}.
 */
public enum ActionKind {
    /** One line on stderr. */
    TERMINAL,
    /** One line in {@code <trace-dir>/alerts.log}. */
    FILE,
    /** POST to the configured webhook (Slack-compatible {@code text}), off the caller's thread. */
    WEBHOOK,
    /** Refuse the tripping call and every later call of the session with a blocked result. */
    BLOCK,
    /** SIGSTOP the agent; {@code agent-trace resume} sends SIGCONT. */
    PAUSE,
    /** SIGTERM to the agent's process group, SIGKILL after a grace period, a post-mortem file. */
    KILL;

    /** Actions that stop the agent; a rule that uses one is critical unless it says otherwise. */
    static final Set<ActionKind> STOPPING = Set.of(BLOCK, PAUSE, KILL);

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The action with that spelling, or null. {@code alert} (agent-strace's word) means terminal. */
    public static ActionKind fromWireName(String s) {
        if ("alert".equals(s)) {
            return TERMINAL;
        }
        for (ActionKind a : values()) {
            if (a.wireName().equals(s)) {
                return a;
            }
        }
        return null;
    }
}
