package dev.agenttrace.rules.scope;

/**
 * What a tool call may do to the file system, as far as the firewall can tell before it runs; the
 * checkpoint uses it to order calls in time (a path is judged only once the calls that may change
 * the files under it have been answered).
 */
public enum Effect {
    /** The tool is declared to touch nothing the policy governs (no argument is judged as a path). */
    NONE,
    /** Only reads: every judged argument is a file read, a tree read or a URL. */
    READS,
    /**
     * Anything else: a file write, a patch, a shell command, code, or a tool the table does not
     * know (what it does is not known, so it is not taken to be read-only).
     */
    CHANGES;

    /** True when the call's judgement resolves paths, so it must not race a change to the files. */
    public boolean judgesPaths() {
        return this != NONE;
    }
}
