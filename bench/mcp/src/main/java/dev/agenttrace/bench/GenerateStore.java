package dev.agenttrace.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes a store in agent-strace's layout: {@code sessions} sessions holding {@code events} events
 * in all, two kinds mixed like real use. Proxy sessions (MCP tools/call with request ids, results
 * with is_error, resources/read uris, session_end with an exit code) and Claude Code hook sessions
 * (prompts, Read/Edit/Bash with file_path and command, "Exit code N" errors). 5% of calls fail; a
 * handful of events carry rare markers (the deploy_prod tool, the text "needle-7f3a") so that
 * searches that must look everywhere have something to find. Deterministic (seed 7). An existing
 * store with the same shape is reused.
 */
public final class GenerateStore {
    private static final String[] TOOLS = {"read_file", "write_file", "edit_file", "list_directory", "search_files",
        "get_file_info", "git_status", "git_diff", "run_tests", "fetch", "query_db", "create_issue", "list_issues",
        "browser_navigate", "browser_click", "screenshot", "slack_post", "sentry_events", "k8s_get_pods", "docker_ps"};
    private static final String[] HOOK_TOOLS = {"Read", "Edit", "Write", "Bash", "Grep", "Glob"};
    private static final String[] AGENTS = {"claude-code", "cursor", "windsurf", "codex", "filesystem", "github"};

    private GenerateStore() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int sessions = Integer.parseInt(args[1]);
        long events = Long.parseLong(args[2]);
        Path marker = dir.resolve(".generated");
        String shape = sessions + " " + events + " v1";
        if (Files.exists(marker) && Files.readString(marker).equals(shape)) {
            System.out.println("store: reusing " + dir + " (" + shape + ")");
            return;
        }
        long t0 = System.nanoTime();
        Files.createDirectories(dir);
        SplittableRandom rnd = new SplittableRandom(7);
        long perSession = events / sessions;
        long written = 0;
        long bytes = 0;
        double start = 1_780_000_000.0;
        for (int s = 0; s < sessions; s++) {
            long n = s == sessions - 1 ? events - written : Math.max(4, perSession / 2 + rnd.nextLong(perSession + 1));
            if (written + n > events) {
                n = Math.max(0, events - written);
            }
            String id = String.format(Locale.ROOT, "%016x", rnd.nextLong());
            boolean hooks = s % 3 == 0;
            start += 30 + rnd.nextInt(600);
            bytes += session(dir, id, start, n, hooks, AGENTS[s % AGENTS.length], rnd, s);
            written += n;
        }
        Files.writeString(marker, shape);
        System.out.printf(Locale.ROOT, "store: %d sessions, %d events, %.0f MB of events.ndjson in %s, written in %.1f s%n",
                sessions, written, bytes / 1e6, dir, (System.nanoTime() - t0) / 1e9);
    }

    private static long session(Path dir, String id, double start, long n, boolean hooks, String agent, SplittableRandom rnd,
                                int index) throws IOException {
        Path sd = Files.createDirectories(dir.resolve(id));
        double ts = start;
        long bytes = 0;
        int calls = 0;
        int errors = 0;
        try (BufferedWriter w = Files.newBufferedWriter(sd.resolve("events.ndjson"), StandardCharsets.UTF_8)) {
            StringBuilder b = new StringBuilder(512);
            long written = 0;
            int eid = 0;
            line(b, "session_start", ts, id, ev(id, eid++), null, 0, hooks ? "{\"mode\":\"claude-code-hooks\",\"model\":\"claude-sonnet-4-5\"}"
                    : "{\"command\":[\"npx\",\"-y\",\"@modelcontextprotocol/server-" + agent + "\"]}");
            written++;
            while (written < n - 1) {
                ts += 0.05 + rnd.nextDouble() * 2;
                if (hooks && rnd.nextInt(12) == 0) {
                    line(b, "user_prompt", ts, id, ev(id, eid++), null, 0, "{\"prompt\":\"fix the failing test in module "
                            + rnd.nextInt(200) + "\"}");
                    written++;
                    continue;
                }
                String callId = ev(id, eid++);
                boolean rare = rnd.nextInt(200_000) == 0;
                String tool = rare ? "deploy_prod" : hooks ? HOOK_TOOLS[rnd.nextInt(HOOK_TOOLS.length)] : TOOLS[rnd.nextInt(TOOLS.length)];
                String path = "/home/dev/proj/src/module_" + rnd.nextInt(200) + "/file_" + rnd.nextInt(25) + ".py";
                String args = tool.equals("Bash") || tool.equals("run_tests")
                        ? "{\"command\":\"pytest tests/test_" + rnd.nextInt(300) + ".py -x\"}"
                        : hooks ? "{\"file_path\":\"" + path + "\"}" : "{\"path\":\"" + path + "\"}";
                int rid = ++calls;
                line(b, "tool_call", ts, id, callId, null, 0, "{\"tool_name\":\"" + tool + "\",\"arguments\":" + args
                        + (hooks ? "" : ",\"request_id\":" + rid) + "}");
                written++;
                if (written >= n - 1) {
                    break;
                }
                double took = 5 + rnd.nextDouble() * rnd.nextDouble() * 3000;
                ts += took / 1000;
                boolean failed = rnd.nextInt(20) == 0;
                String text = rnd.nextInt(50_000) == 0 ? "needle-7f3a found in output" : "ok: " + tool + " done, 42 lines";
                if (failed) {
                    errors++;
                    if (hooks) {
                        line(b, "error", ts, id, ev(id, eid++), callId, took, "{\"tool_name\":\"" + tool + "\",\"error\":\"Exit code "
                                + (1 + rnd.nextInt(2)) + "\\nFAILED tests/test_x.py::test_login - AssertionError\"}");
                    } else {
                        line(b, "tool_result", ts, id, ev(id, eid++), callId, took, "{\"request_id\":" + rid
                                + ",\"content_types\":[\"text\"],\"content_preview\":\"Error: timeout after 30s\",\"is_error\":true,\"tool_name\":\""
                                + tool + "\"}");
                    }
                } else if (hooks) {
                    line(b, "tool_result", ts, id, ev(id, eid++), callId, took, "{\"tool_name\":\"" + tool + "\",\"result\":\"" + text + "\"}");
                } else {
                    line(b, "tool_result", ts, id, ev(id, eid++), callId, took, "{\"request_id\":" + rid
                            + ",\"content_types\":[\"text\"],\"content_preview\":\"" + text + "\",\"is_error\":false,\"tool_name\":\"" + tool + "\"}");
                }
                written++;
                if (!hooks && rnd.nextInt(10) == 0 && written < n - 1) {
                    line(b, "file_read", ts, id, ev(id, eid++), null, 0, "{\"uri\":\"file://" + path + "\",\"request_id\":" + (++calls) + "}");
                    written++;
                }
                bytes += b.length();
                w.append(b);
                b.setLength(0);
            }
            ts += 0.1;
            line(b, "session_end", ts, id, ev(id, eid), null, 0, hooks ? "{\"duration_ms\":" + Math.round((ts - start) * 1000) + "}"
                    : "{\"exit_code\":" + (index % 50 == 0 ? 1 : 0) + ",\"duration_ms\":" + Math.round((ts - start) * 1000) + "}");
            bytes += b.length();
            w.append(b);
        }
        String meta = "{\n  \"session_id\": \"" + id + "\",\n  \"started_at\": " + start + ",\n  \"ended_at\": " + ts
                + ",\n  \"agent_name\": \"" + agent + "\",\n  \"command\": \"" + (hooks ? "claude-code (startup)" : "npx -y server-" + agent)
                + "\",\n  \"tool_calls\": " + calls + ",\n  \"errors\": " + errors + ",\n  \"total_duration_ms\": "
                + Math.round((ts - start) * 1000) + ",\n  \"attribution\": {}\n}";
        Files.writeString(sd.resolve("meta.json"), meta);
        return bytes;
    }

    private static String ev(String session, int n) {
        return String.format(Locale.ROOT, "%s%04x", session.substring(0, 8), n & 0xffff);
    }

    private static void line(StringBuilder b, String type, double ts, String session, String eventId, String parent,
                             double durationMs, String data) {
        b.append("{\"event_type\":\"").append(type).append("\",\"timestamp\":").append(ts).append(",\"event_id\":\"")
                .append(eventId)
                .append("\",\"session_id\":\"").append(session).append('"');
        if (parent != null) {
            b.append(",\"parent_id\":\"").append(parent).append("\",\"duration_ms\":")
                    .append(Math.round(durationMs * 1000) / 1000.0);
        }
        b.append(",\"data\":").append(data).append("}\n");
    }
}
