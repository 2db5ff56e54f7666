package dev.agenttrace.report.session;

/**
 * One bar of the waterfall: a tool call (or an LLM request) from its start to its answer.
 * Mutable while the session is read: the answer arrives after the call.
 */
public final class Row {
    /** The call failed: an {@code error} event, or a result flagged {@code isError}. */
    public static final int FAILED = 1;
    /** The result itself said {@code isError: true} (MCP), as opposed to a JSON-RPC error. */
    public static final int IS_ERROR = 2;
    /** The firewall or a breaker refused the call: it never ran. */
    public static final int BLOCKED = 4;
    /** No answer was recorded (still running, or the session ended first). */
    public static final int OPEN = 8;
    /** The firewall in shadow mode would have refused it. */
    public static final int SHADOW = 16;
    /** An LLM request rather than a tool call. */
    public static final int LLM = 32;

    final int index;
    final double startMs;
    double durationMs = -1;
    final String tool;
    int flags = OPEN;
    final int depth;
    final String eventId;
    final String arguments;
    String result = "";
    String rule;

    Row(int index, double startMs, String tool, int depth, String eventId, String arguments, int flags) {
        this.index = index;
        this.startMs = startMs;
        this.tool = tool;
        this.depth = depth;
        this.eventId = eventId;
        this.arguments = arguments;
        this.flags |= flags;
    }

    public int index() {
        return index;
    }

    public double startMs() {
        return startMs;
    }

    /** Milliseconds from call to answer, or -1 while there is no answer. */
    public double durationMs() {
        return durationMs;
    }

    public String tool() {
        return tool;
    }

    public int flags() {
        return flags;
    }

    /** 0 for the session's own calls, 1 inside a subagent, 2 inside a subagent's subagent, ... */
    public int depth() {
        return depth;
    }

    public String eventId() {
        return eventId;
    }

    /** The call's arguments as compact JSON, clipped. */
    public String arguments() {
        return arguments;
    }

    /** The stored preview of the answer (already redacted by the recorder), clipped. */
    public String result() {
        return result;
    }

    /** The firewall or breaker rule that refused or flagged the call, or null. */
    public String rule() {
        return rule;
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }
}
