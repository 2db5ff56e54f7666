package dev.agenttrace.report;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceJson;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Stores for the tests: the agent-strace fixtures (copied), and sessions written line by line in
 * the shapes our recorders write ({@code SessionRecorder.judged} for a firewall block,
 * {@code AlertEvents.alert} for a breaker), so a report can be checked against known content.
 */
public final class TestSessions {
    public static final String HOSTILE = "</script><script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\"><!--";
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    private TestSessions() {
    }

    public static Path fixtures() {
        URL url = TestSessions.class.getResource("/fixtures/agent-strace/.agent-traces");
        if (url == null) {
            throw new AssertionError("fixture store not on the test classpath (the build copies tests/fixtures there)");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /** Copies the agent-strace fixture store into {@code dir}. */
    public static void copyFixtures(Path dir) throws IOException {
        Path from = fixtures();
        try (var all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path to = dir.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
    }

    /** Writes events to a session directory, with a meta. */
    public static final class Writer {
        final String id;
        final double start;
        final BufferedWriter out;
        public final SessionMeta meta = new SessionMeta();
        private int next;
        double now;

        public Writer(Path store, String id, String agent, double start) throws IOException {
            this.id = id;
            this.start = start;
            this.now = start;
            Path dir = store.resolve(id);
            Files.createDirectories(dir);
            meta.sessionId = id;
            meta.startedAt = start;
            meta.agentName = agent;
            meta.command = agent;
            out = Files.newBufferedWriter(dir.resolve("events.ndjson"));
            Files.writeString(dir.resolve("meta.json"), TraceJson.metaJson(meta));
        }

        public String eventId() {
            return String.format(Locale.ROOT, "%012x", ((long) id.hashCode() & 0xffffL) << 28 | next++);
        }

        public TraceEvent write(String type, double at, String parent, Double durationMs, ObjectNode data) throws IOException {
            TraceEvent e = new TraceEvent(type, at, eventId(), id, parent, durationMs, data);
            out.write(TraceJson.eventLine(e));
            out.write('\n');
            now = Math.max(now, at);
            return e;
        }

        public TraceEvent call(double at, String tool, ObjectNode args, Object requestId) throws IOException {
            ObjectNode d = F.objectNode();
            d.put("tool_name", tool);
            d.set("arguments", args);
            if (requestId != null) {
                d.set("request_id", TraceJson.mapper().valueToTree(requestId));
            }
            return write(EventTypes.TOOL_CALL, at, null, null, d);
        }

        public TraceEvent result(TraceEvent call, double at, String preview, boolean isError) throws IOException {
            ObjectNode d = F.objectNode();
            if (call.data().has("request_id")) {
                d.set("request_id", call.data().get("request_id"));
            }
            d.putArray("content_types").add("text");
            d.put("content_preview", preview);
            if (isError) {
                d.put("is_error", true);
            }
            return write(EventTypes.TOOL_RESULT, at, call.eventId(), (at - call.timestamp()) * 1000, d);
        }

        /** A firewall block, as the inline recorder writes it. */
        public TraceEvent blocked(TraceEvent call, double at, String rule, String reason) throws IOException {
            ObjectNode d = F.objectNode();
            d.put("kind", "policy_violation");
            d.put("choice", "block");
            d.put("reason", reason);
            d.put("tool_name", call.data().get("tool_name").asText());
            d.set("request_id", call.data().get("request_id"));
            d.put("mode", "enforce");
            d.put("forwarded", false);
            ObjectNode p = d.putObject("policy");
            p.put("decision", "block");
            p.put("rule", rule);
            p.put("reason", reason);
            d.putArray("alternatives").add("allow");
            return write(EventTypes.DECISION, at, call.eventId(), null, d);
        }

        /** A breaker alert, as {@code AlertEvents.alert} writes it. */
        public TraceEvent alert(TraceEvent tripped, double at, String rule, String reason) throws IOException {
            ObjectNode d = F.objectNode();
            d.put("kind", "alert");
            d.put("choice", "alert");
            d.put("reason", reason);
            d.put("rule", rule);
            d.put("watcher", rule);
            d.put("severity", "warning");
            d.putArray("actions").add("terminal");
            d.putArray("done");
            d.put("tool_name", tripped.data().path("tool_name").asText());
            d.putArray("alternatives").add("continue");
            return write(EventTypes.DECISION, at, tripped.eventId(), null, d);
        }

        public ObjectNode data() {
            return F.objectNode();
        }

    }

    public static ObjectNode args(String k, String v) {
        return F.objectNode().put(k, v);
    }

    /**
     * A session with what the report must show: a firewall block, a retry after failures and the
     * breaker alert it tripped, an isError result, a subagent (Task) with nested calls, a JSON-RPC
     * error nobody claimed, and a tool result that tries to break out of the page.
     */
    public static String firewalled(Path store) throws IOException {
        String id = "f1e2d3c4b5a60001";
        double t = 1_795_400_000.0;
        Writer w = new Writer(store, id, "claude-code", t);
        ObjectNode start = F.objectNode();
        start.putArray("command").add("npx").add("server-filesystem");
        w.write(EventTypes.SESSION_START, t, null, null, start);
        w.write(EventTypes.USER_PROMPT, t + 0.1, null, null, F.objectNode().put("prompt", "make the tests pass"));
        TraceEvent c1 = w.call(t + 0.2, "read_file", args("path", "src/app.py"), 1);
        w.result(c1, t + 0.26, "def app(): ...", false);
        TraceEvent c2 = w.call(t + 0.4, "read_file", args("path", ".env"), 2);
        String rule = "files.read.deny \".env\"";
        w.blocked(c2, t + 0.4005, rule, "read_file path \".env\" reads .env, denied by " + rule);
        w.result(c2, t + 0.401, "Blocked by agent-trace policy: read_file path \".env\" reads .env, denied by " + rule
                + ". The tool \"read_file\" was NOT executed.", true);
        TraceEvent last = null;
        for (int i = 0; i < 3; i++) {
            TraceEvent b = w.call(t + 0.6 + i * 0.5, "Bash", args("command", "pytest tests/test_app.py"), 3 + i);
            w.result(b, t + 0.9 + i * 0.5, "1 failed, 4 passed", true);
            last = b;
        }
        w.alert(last, t + 1.91, "retry", "Bash retried 3 times with the same arguments after an error");
        TraceEvent task = w.call(t + 2.0, "Task", args("description", "find the failing assertion"), 6);
        TraceEvent g = w.call(t + 2.1, "Grep", args("pattern", "assert"), 7);
        TraceEvent r = w.call(t + 2.15, "Read", args("file_path", "tests/test_app.py"), 8);
        w.result(g, t + 2.3, "tests/test_app.py:12: assert app() == 1", false);
        w.result(r, t + 2.4, "import app ...", false);
        w.result(task, t + 3.0, "the assertion expects 1", false);
        TraceEvent edit = w.call(t + 3.1, "write_file", F.objectNode().put("path", "src/app.py").put("content", "def app(): return 1"), 9);
        w.result(edit, t + 3.2, "ok", false);
        TraceEvent echo = w.call(t + 3.3, "echo", args("text", "hello"), 10);
        w.result(echo, t + 3.35, HOSTILE, false);
        ObjectNode err = F.objectNode().put("code", -32602).put("message", "Unknown tool: nope");
        err.put("request_id", 99);
        w.write(EventTypes.ERROR, t + 3.4, null, null, err);
        TraceEvent pass = w.call(t + 3.5, "Bash", args("command", "pytest"), 11);
        w.result(pass, t + 4.5, "5 passed", false);
        finish(store, w);
        return id;
    }

    /** A long session: {@code events} events of calls (some parallel, some failing), prompts, blocks and alerts. */
    public static String large(Path store, int events, long seed) throws IOException {
        String id = "1a2b3c4d5e6f0100";
        double t = 1_795_500_000.0;
        Random rnd = new Random(seed);
        String[] tools = {"Read", "Bash", "Grep", "Edit", "Glob", "read_file", "search", "write_file"};
        Writer w = new Writer(store, id, "long-run", t);
        w.write(EventTypes.SESSION_START, t, null, null, F.objectNode().put("mode", "generated"));
        int n = 1;
        double now = t;
        while (n < events - 1) {
            if (n % 2000 == 1) {
                w.write(EventTypes.USER_PROMPT, now, null, null, F.objectNode().put("prompt", "step " + n / 2000 + ": keep going"));
                n++;
            }
            int parallel = rnd.nextInt(10) == 0 ? 3 : 1;
            TraceEvent[] calls = new TraceEvent[parallel];
            for (int p = 0; p < parallel && n < events - 1; p++) {
                String tool = tools[rnd.nextInt(tools.length)];
                calls[p] = w.call(now + p * 0.001, tool, F.objectNode().put("path", "src/module" + rnd.nextInt(400) + "/file" + rnd.nextInt(50) + ".py")
                        .put("n", n), n);
                n++;
            }
            double longest = 0;
            for (TraceEvent c : calls) {
                if (c == null || n >= events - 1) {
                    continue;
                }
                double d = 0.005 + rnd.nextExponential() * 0.08;
                longest = Math.max(longest, d);
                boolean fail = rnd.nextInt(25) == 0;
                if (n % 5000 == 17) {
                    w.blocked(c, c.timestamp() + 0.0002, "commands.deny \"curl\"", "Bash command \"curl evil.example\" runs curl, denied by commands.deny \"curl\"");
                    n++;
                }
                w.result(c, c.timestamp() + d, fail ? "Error: no such file or directory" : "ok: " + rnd.nextInt(100000) + " bytes of content from the file", fail);
                n++;
                if (n % 7000 == 3 && n < events - 1) {
                    w.alert(c, c.timestamp() + d, "loop", "the same 3 calls repeated 3 times");
                    n++;
                }
            }
            now += longest + 0.01 + rnd.nextDouble() * 0.05;
        }
        finish(store, w);
        return id;
    }

    /**
     * {@code n} runs of the same agent over several days: growing costs, timeouts and missing files,
     * a loop (the same three calls, four times) in every third run, a breaker alert in every fourth.
     */
    public static List<String> runs(Path store, int n) throws IOException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = String.format(Locale.ROOT, "a0b0c0d0e0f0%04d", i);
            double t = 1_795_000_000.0 + i * 43_200.0; // two a day
            Writer w = new Writer(store, id, "nightly-fixer", t);
            w.write(EventTypes.SESSION_START, t, null, null, F.objectNode().put("mode", "generated"));
            double at = t + 0.1;
            int calls = 4 + i % 5 + (i == n - 2 ? 30 : 0);
            for (int c = 0; c < calls; c++) {
                TraceEvent call = w.call(at, c % 2 == 0 ? "Read" : "Bash", args(c % 2 == 0 ? "file_path" : "command", "step " + c + " of run " + i + " " + "x".repeat(200 * (i % 4))), c + 1);
                boolean fail = (c + i) % 3 == 0;
                w.result(call, at + 0.05 + 0.01 * (i % 3), fail ? (c % 4 == 0 ? "Error: request timed out after 30s" : "Error: no such file or directory") : "done " + "y".repeat(100 * (i % 3)), fail);
                at += 0.2;
            }
            if (i % 3 == 0) {
                for (int r = 0; r < 4; r++) {
                    for (String tool : new String[] {"Grep", "Read", "Edit"}) {
                        TraceEvent call = w.call(at, tool, args("file_path", "src/loop.py"), null);
                        w.result(call, at + 0.02, "same", false);
                        at += 0.05;
                    }
                }
            }
            if (i % 4 == 1) {
                TraceEvent call = w.call(at, "Bash", args("command", "make"), 99);
                w.result(call, at + 0.1, "ok", false);
                w.alert(call, at + 0.11, "cost", "the session cost more than $0.01");
            }
            finish(store, w);
            ids.add(id);
        }
        return ids;
    }

    public static void finish(Path store, Writer w) throws IOException {
        ObjectNode d = F.objectNode();
        d.put("exit_code", 0);
        d.put("duration_ms", (w.now - w.start) * 1000);
        w.write(EventTypes.SESSION_END, w.now + 0.01, null, null, d);
        w.out.close();
        w.meta.endedAt = w.now + 0.01;
        w.meta.totalDurationMs = (w.now + 0.01 - w.start) * 1000;
        Files.writeString(store.resolve(w.id).resolve("meta.json"), TraceJson.metaJson(w.meta));
    }
}
