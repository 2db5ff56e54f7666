package dev.agenttrace.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Crafted sessions on disk and the command run as typed, for the watch, lint and resume tests. */
final class WatchTestSupport {
    record Result(int code, String out, String err) {
    }

    private WatchTestSupport() {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    /** Writes a session's meta.json and events.ndjson as a recorder would. */
    static final class Session {
        final Path dir;
        final String id;
        private double now = 1_700_000_000.0;
        private int ids;
        private int requests;

        Session(Path store, String id, String parent, String agentName) {
            this(store, id, parent, agentName, 0);
        }

        Session(Path store, String id, String parent, String agentName, long agentPid) {
            this.id = id;
            this.dir = store.resolve(id);
            SessionMeta m = new SessionMeta();
            m.sessionId = id;
            m.startedAt = now;
            m.agentName = agentName;
            m.command = agentName;
            m.parentSessionId = parent;
            if (agentPid > 0) {
                m.attribution.put("agent_pid", agentPid);
            }
            try {
                Files.createDirectories(dir);
                Files.writeString(dir.resolve("meta.json"), TraceJson.metaJson(m));
                Files.writeString(dir.resolve("events.ndjson"), "");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        TraceEvent write(String type, String parent, String data) {
            try {
                ObjectNode d = (ObjectNode) TraceJson.mapper().readTree(data);
                now += 0.5;
                TraceEvent e = new TraceEvent(type, now, String.format("%012x", ++ids), id, parent, null, d);
                Files.writeString(dir.resolve("events.ndjson"), TraceJson.eventLine(e) + "\n", StandardCharsets.US_ASCII,
                        StandardOpenOption.APPEND);
                return e;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        TraceEvent call(String tool, String args) {
            return write("tool_call", null, "{\"tool_name\": \"" + tool + "\", \"arguments\": " + args + ", \"request_id\": " + (++requests) + "}");
        }

        TraceEvent ok(TraceEvent call) {
            return write("tool_result", call.eventId(), "{\"content_types\": [\"text\"], \"content_preview\": \"ok\", \"is_error\": false}");
        }

        TraceEvent error(TraceEvent call, String message) {
            return write("error", call.eventId(), "{\"code\": -32000, \"message\": \"" + message + "\"}");
        }

        /** A call failed and retried {@code retries} times with the same arguments. */
        Session retryStorm(int retries) {
            for (int i = 0; i <= retries; i++) {
                error(call("read_file", "{\"path\": \"missing.txt\"}"), "ENOENT: no such file");
            }
            return this;
        }

        Session end() {
            write("session_end", null, "{\"duration_ms\": 1000}");
            return this;
        }
    }
}
