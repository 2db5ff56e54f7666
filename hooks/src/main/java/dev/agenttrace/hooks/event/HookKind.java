package dev.agenttrace.hooks.event;

/**
 * What a hook event means, whatever the agent calls it (Claude Code {@code PreToolUse}, Cursor
 * {@code beforeShellExecution}, Gemini CLI {@code BeforeTool} are all {@link #PRE_TOOL}).
 */
public enum HookKind {
    SESSION_START,
    USER_PROMPT,
    /** Before a tool runs: the one event that can refuse it. */
    PRE_TOOL,
    POST_TOOL,
    POST_TOOL_FAILURE,
    /** The agent's own permission system refused a call (Claude Code auto mode). */
    PERMISSION_DENIED,
    SUBAGENT_START,
    SUBAGENT_STOP,
    /** The agent finished answering (its last message is in the payload). */
    STOP,
    PRE_COMPACT,
    NOTIFICATION,
    SESSION_END,
    /** An event this version does not interpret: recorded by name, answered with "no objection". */
    OTHER
}
