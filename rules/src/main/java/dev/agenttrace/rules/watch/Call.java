package dev.agenttrace.rules.watch;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** One tool call as the watchers see it: its identity for "the same call" and what it touches. */
final class Call {
    final String eventId;
    final String tool;
    /** Type-tagged JSON-RPC id ({@code n:1}, {@code s:1}), or null (hook sessions have none). */
    final String requestKey;
    final double timestamp;
    final JsonNode arguments;
    /** {@link ArgumentCanon#canonical normalised} arguments. */
    final String canonical;
    /** Hash of tool and canonical arguments: equal for the same call. */
    final long key;
    /** The shell command it runs, or null. */
    final String command;
    /** Paths it reads or writes (as given). */
    final List<String> paths;
    /** Paths it writes (as given). */
    final List<String> writes;
    /** It runs a test suite. */
    final boolean test;

    boolean done;
    boolean failed;
    ErrorKind errorKind;

    Call(String eventId, String tool, String requestKey, double timestamp, JsonNode arguments, String canonical,
         String command, List<String> paths, List<String> writes, boolean test) {
        this.eventId = eventId;
        this.tool = tool;
        this.requestKey = requestKey;
        this.timestamp = timestamp;
        this.arguments = arguments;
        this.canonical = canonical;
        this.key = ArgumentCanon.hash(tool, canonical);
        this.command = command;
        this.paths = paths;
        this.writes = writes;
        this.test = test;
    }

    /** {@code read_file {"path":"a"}}, clipped for messages. */
    String display() {
        return ArgumentCanon.display(tool, canonical, 80);
    }
}
