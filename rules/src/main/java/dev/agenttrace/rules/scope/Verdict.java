package dev.agenttrace.rules.scope;

/** What happens to a tool call. */
public enum Verdict {
    /** Forward the call. */
    ALLOW,
    /** Answer it with a blocked result; the server never sees it. */
    BLOCK
}
