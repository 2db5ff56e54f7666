package dev.agenttrace.rules.scope;

/** What happens to a tool call. */
public enum Verdict {
    /** Forward the call. */
    ALLOW,
    /** Answer it with a blocked result; the server never sees it. */
    BLOCK,
    /**
     * The firewall cannot see what the call would do (an interpreter's inline code, a program that
     * runs programs, a construct the shell model lacks, a path it cannot resolve): refused under
     * {@code enforce} like a block, recorded as "would block: undetermined" in shadow mode, and
     * admitted only by an explicit {@code commands.trust} entry.
     */
    UNDETERMINED
}
