package dev.agenttrace.rules.scope;

import java.util.Locale;

/** What a tool argument means to the firewall; the names are the ones the policy's {@code tools} section uses. */
public enum ArgumentKind {
    /** A path the tool reads (or lists); judged by {@code files.read}. */
    FILE_READ,
    /** A path the tool creates, modifies, moves or deletes; judged by {@code files.write}. */
    FILE_WRITE,
    /** A shell command line; judged by {@code commands}, and for the files and hosts it touches. */
    COMMAND,
    /** A URL the tool fetches; judged by {@code network} ({@code file:} URLs by {@code files.read}). */
    URL,
    /**
     * A file or directory whose whole tree the tool reads (Claude Code's {@code Grep path}):
     * judged by {@code files.read} for the path and for every file under it; absent, the root.
     */
    TREE_READ,
    /**
     * Code in a language the firewall does not model (PowerShell, a code runner's source, keys
     * typed into a terminal): always undetermined, unless the tool is declared otherwise.
     */
    CODE,
    /** A patch ({@code apply_patch}): the files it adds, updates, deletes or moves are writes. */
    PATCH;

    /** The spelling used in policy files: {@code file_read}, {@code file_write}, {@code command}, {@code url}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind with that policy spelling, or null. */
    public static ArgumentKind fromWireName(String name) {
        for (ArgumentKind k : values()) {
            if (k.wireName().equals(name)) {
                return k;
            }
        }
        return null;
    }
}
