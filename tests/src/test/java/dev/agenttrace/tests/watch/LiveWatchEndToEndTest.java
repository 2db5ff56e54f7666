package dev.agenttrace.tests.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.rules.watch.Alert;
import dev.agenttrace.rules.watch.AlertActions;
import dev.agenttrace.rules.watch.LiveWatch;
import dev.agenttrace.rules.watch.Postmortem;
import dev.agenttrace.rules.watch.ProcessSignals;
import dev.agenttrace.rules.watch.SessionCounters;
import dev.agenttrace.rules.watch.WatchConfig;
import dev.agenttrace.rules.watch.WatchConfigParser;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionMeta;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agent-trace watch} on sessions that separate processes write: {@code agent-trace record}
 * proxies (a retry storm staged through {@code record -- cat}), and an agent-strace hook writer
 * appending line by line (with a line caught half-written). Alert latency is measured from the
 * moment the tripping line is handed to the proxy; the 100 ms p99 target is the benchmark's
 * (bench/watch), this only holds it under a second.
 */
class LiveWatchEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (Process p : processes) {
            ProcessSignals.send("CONT", p.pid());
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    static final class Seen implements LiveWatch.Listener {
        final List<Alert> alerts = new CopyOnWriteArrayList<>();
        final List<Long> alertNanos = new CopyOnWriteArrayList<>();
        final List<String> started = new CopyOnWriteArrayList<>();
        final List<String> ended = new CopyOnWriteArrayList<>();
        final List<String> warnings = new CopyOnWriteArrayList<>();
        volatile List<SessionCounters> status = List.of();

        @Override
        public void started(SessionMeta s, boolean existing) {
            started.add(s.sessionId);
        }

        @Override
        public void alert(Alert a, boolean live) {
            if (live) {
                alertNanos.add(System.nanoTime());
                alerts.add(a);
            }
        }

        @Override
        public void status(List<SessionCounters> s) {
            status = s;
        }

        @Override
        public void ended(SessionCounters s) {
            ended.add(s.sessionId());
        }

        @Override
        public void warning(String m) {
            warnings.add(m);
        }
    }

    private static boolean await(java.util.function.BooleanSupplier c, long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!c.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(2);
        }
        return c.getAsBoolean();
    }

    /** Fails the same call {@code retries} times more; returns the nanoTime the last (tripping) call was sent. */
    private static long retryStorm(Recorder r, int retries) throws IOException, InterruptedException {
        long sent = 0;
        for (int i = 0; i <= retries; i++) {
            sent = System.nanoTime();
            int id = r.call("read_file", "{\"path\":\"missing.txt\"}");
            if (i < retries) {
                Thread.sleep(20);
                r.fail(id, "ENOENT: no such file or directory");
                Thread.sleep(20);
            }
        }
        return sent;
    }

    @Test
    void alertsOnARetryStormRecordedByAnotherProcessAndFollowsASecondSession() throws Exception {
        Path traces = Files.createDirectories(dir.resolve("traces"));
        WatchConfig config = WatchConfigParser.parse("{\"watchers\": {\"retry\": {\"max\": 2, \"alert\": [\"terminal\", \"file\"]}}}",
                "watch.json", dir);
        Seen seen = new Seen();
        List<String> terminal = new CopyOnWriteArrayList<>();
        AlertActions actions = AlertActions.builder().config(config).traceDir(traces).terminal(terminal::add).problems(terminal::add).build();
        LiveWatch live = new LiveWatch(dev.agenttrace.store.TraceStore.at(traces), config, actions, seen,
                new LiveWatch.Options(LiveWatch.Mode.ALL, List.of(), 0, 50, 0));
        Thread runner = new Thread(() -> {
            try {
                live.run();
            } catch (Exception e) {
                seen.warnings.add("run: " + e);
            }
        });
        runner.start();
        try (Recorder first = new Recorder(traces, dir.resolve("first.stderr"))) {
            processes.add(first.process);
            assertTrue(await(() -> seen.started.size() == 1, 10_000), "the first session is found: " + seen.warnings);
            long sent = retryStorm(first, 3);
            assertTrue(await(() -> seen.alerts.size() == 1, 5_000), "alerted: " + seen.warnings + " " + Files.readString(dir.resolve("first.stderr")));
            long firstMs = TimeUnit.NANOSECONDS.toMillis(seen.alertNanos.get(0) - sent);
            System.err.println("watch: append-to-alert latency through a separate record process: " + firstMs + " ms");
            assertTrue(firstMs < 1_000, firstMs + " ms");
            assertEquals("retry", seen.alerts.get(0).rule());
            assertTrue(seen.alerts.get(0).message().contains("read_file {\"path\":\"missing.txt\"} failed and was retried 3 times"),
                    seen.alerts.get(0).message());

            try (Recorder second = new Recorder(traces, dir.resolve("second.stderr"))) {
                processes.add(second.process);
                assertTrue(await(() -> seen.started.size() == 2, 10_000), "a session started mid-watch is followed");
                long sent2 = retryStorm(second, 3);
                assertTrue(await(() -> seen.alerts.size() == 2, 5_000), "alerted on the second session");
                long secondMs = TimeUnit.NANOSECONDS.toMillis(seen.alertNanos.get(1) - sent2);
                System.err.println("watch: second session, append-to-alert latency: " + secondMs + " ms");
                assertTrue(secondMs < 1_000, secondMs + " ms");
                assertNotEquals(seen.alerts.get(0).sessionId(), seen.alerts.get(1).sessionId());
            }
        }
        assertTrue(await(() -> seen.ended.size() == 2, 10_000), "both sessions ended: " + seen.ended);
        live.stop();
        runner.join(5_000);
        actions.close();
        assertEquals(2, Files.readAllLines(traces.resolve("alerts.log")).size());
        assertEquals(2, terminal.stream().filter(l -> l.contains("[warning] retry")).count(), terminal.toString());
        for (String sid : seen.started) {
            List<JsonNode> events = events(traces.resolve(sid));
            for (JsonNode e : events) {
                assertTrue(EventTypes.AGENT_STRACE.contains(e.path("event_type").asText()), "agent-strace reads every line: " + e);
            }
            assertEquals(1, events.stream().filter(e -> "alert".equals(e.path("data").path("kind").asText())).count(),
                    "the alert is recorded in the session it concerns");
        }
        assertTrue(seen.warnings.isEmpty(), seen.warnings.toString());
    }

    @Test
    void watchCommandFollowsAHookSessionThroughATornLine() throws Exception {
        Path traces = Files.createDirectories(dir.resolve("traces"));
        Path config = Files.writeString(dir.resolve(".agent-watch.json"),
                "{\"watchers\": {\"retry\": {\"max\": 1}, \"silent_failure\": {}}}");
        Path out = dir.resolve("watch.out");
        Path err = dir.resolve("watch.err");
        Process watch = new ProcessBuilder(Recorder.command("watch", "--all", "--config", config.toString(), "--trace-dir", traces.toString(),
                "--max-idle", "30")).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        processes.add(watch);
        assertTrue(await(() -> read(err).contains("rules from"), 10_000), read(err));

        // an agent-strace hook writer: one open-append-close per line, ids with '-'
        String sid = "9a8b7c6d-hooks-x";
        Path session = Files.createDirectories(traces.resolve(sid));
        Files.writeString(session.resolve("meta.json"), "{\"session_id\": \"" + sid + "\", \"started_at\": 1795352696.14, \"agent_name\": \"claude-code\","
                + " \"command\": \"claude-code (startup)\", \"attribution\": {}}");
        Path events = session.resolve("events.ndjson");
        hook(events, "{\"event_type\":\"session_start\",\"timestamp\":1795352696.2,\"event_id\":\"e00000000001\",\"session_id\":\"" + sid
                + "\",\"data\":{\"mode\":\"claude-code-hooks\"}}\n");
        assertTrue(await(() -> read(out).contains("watching " + sid + " (claude-code)"), 5_000), read(out) + read(err));
        hook(events, call(sid, "e00000000002", 1795352697.0) + "\n");
        hook(events, "{\"event_type\":\"error\",\"timestamp\":1795352697.5,\"event_id\":\"e00000000003\",\"session_id\":\"" + sid
                + "\",\"parent_id\":\"e00000000002\",\"data\":{\"tool_name\":\"Bash\",\"error\":\"tool call failed\"}}\n");
        String retry = call(sid, "e00000000004", 1795352698.0) + "\n";
        hook(events, retry.substring(0, 30));
        Thread.sleep(300);
        assertFalse(read(err).contains("[warning] retry"), "a half-written line is not read: " + read(err));
        assertFalse(read(err).contains("skipped"), read(err));
        hook(events, retry.substring(30));
        hook(events, "{\"event_type\":\"error\",\"timestamp\":1795352698.5,\"event_id\":\"e00000000005\",\"session_id\":\"" + sid
                + "\",\"parent_id\":\"e00000000004\",\"data\":{\"tool_name\":\"Bash\",\"error\":\"tool call failed\"}}\n");
        long wrote = System.nanoTime();
        hook(events, call(sid, "e00000000006", 1795352699.0) + "\n");
        assertTrue(await(() -> read(err).contains("[warning] retry: Bash {\"command\":\"pytest -x\"} failed and was retried 2 times"), 5_000),
                read(out) + read(err));
        System.err.println("watch (CLI process, hook session): append-to-stderr latency " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - wrote) + " ms (upper bound)");
        watch.destroy();
        assertTrue(watch.waitFor(30, TimeUnit.SECONDS), "watch ends on SIGTERM");
        String stdout = read(out);
        assertTrue(stdout.contains(sid + "  calls 3  errors 2"), "its last status line, printed on the way out: " + stdout);
    }

    @Test
    void pauseStopsTheAgentUntilResumeAndKillEndsItWithAPostmortem() throws Exception {
        Path traces = Files.createDirectories(dir.resolve("traces"));
        Process agent = new ProcessBuilder("setsid", "sh", "-c", "sleep 300 & wait").start();
        processes.add(agent);
        Path pause = Files.writeString(dir.resolve("pause.json"), "{\"watchers\": {\"retry\": {\"max\": 1, \"alert\": \"pause\"}}}");
        Path err = dir.resolve("pause.err");
        Process watch = new ProcessBuilder(Recorder.command("watch", "--all", "--config", pause.toString(), "--trace-dir", traces.toString(),
                "--agent-pid", Long.toString(agent.pid()), "--max-idle", "30")).redirectOutput(dir.resolve("pause.out").toFile())
                .redirectError(err.toFile()).start();
        processes.add(watch);
        assertTrue(await(() -> read(err).contains("rules from"), 10_000), read(err));
        String sid;
        try (Recorder r = new Recorder(traces, dir.resolve("rec1.stderr"))) {
            processes.add(r.process);
            retryStorm(r, 2);
            assertTrue(await(() -> ProcessSignals.state(agent.pid()) == 'T', 5_000), "paused: " + read(err));
            Thread.sleep(300);
            assertEquals('T', ProcessSignals.state(agent.pid()), "stays stopped");
            sid = onlySession(traces);
            assertTrue(read(err).contains("agent-trace resume " + sid), read(err));
            StringWriter o = new StringWriter();
            StringWriter e = new StringWriter();
            int code = dev.agenttrace.cli.Main.execute(new String[] {"resume", sid, "--trace-dir", traces.toString()},
                    new PrintWriter(o, true), new PrintWriter(e, true));
            assertEquals(0, code, e.toString());
            assertTrue(await(() -> ProcessSignals.state(agent.pid()) != 'T', 2_000), "resumed");
        }
        watch.destroy();
        watch.waitFor(5, TimeUnit.SECONDS);

        Path kill = Files.writeString(dir.resolve("kill.json"),
                "{\"watchers\": {\"retry\": {\"max\": 1, \"alert\": \"kill\"}}, \"kill_grace_seconds\": 1}");
        Path killErr = dir.resolve("kill.err");
        List<Long> family = new ArrayList<>(agent.descendants().map(ProcessHandle::pid).toList());
        family.add(agent.pid());
        Process killer = new ProcessBuilder(Recorder.command("watch", "--all", "--config", kill.toString(), "--trace-dir", traces.toString(),
                "--agent-pid", Long.toString(agent.pid()), "--max-idle", "30")).redirectOutput(dir.resolve("kill.out").toFile())
                .redirectError(killErr.toFile()).start();
        processes.add(killer);
        assertTrue(await(() -> read(killErr).contains("rules from"), 10_000), read(killErr));
        try (Recorder r = new Recorder(traces, dir.resolve("rec2.stderr"))) {
            processes.add(r.process);
            assertTrue(await(() -> read(killErr).contains("a new session") || read(dir.resolve("kill.out")).contains("a new session"), 10_000));
            retryStorm(r, 2);
            for (long pid : family) {
                assertTrue(await(() -> !ProcessSignals.alive(pid), 5_000), "pid " + pid + " gone: " + read(killErr));
            }
        }
        String killed;
        try (Stream<Path> s = Files.list(traces)) {
            killed = s.filter(p -> Files.exists(p.resolve(Postmortem.FILE_NAME))).map(p -> p.getFileName().toString()).findFirst().orElseThrow();
        }
        assertNotEquals(sid, killed);
        JsonNode pm = JSON.readTree(traces.resolve(killed).resolve(Postmortem.FILE_NAME).toFile());
        assertEquals(killed, pm.path("session_id").asText());
        assertEquals("read_file", pm.path("last_tool_call").path("tool_name").asText());
        assertTrue(pm.path("signals").asText().contains("SIGTERM to process group " + agent.pid()), pm.toString());
        killer.destroy();
    }

    private static String call(String sid, String eventId, double ts) {
        return "{\"event_type\":\"tool_call\",\"timestamp\":" + ts + ",\"event_id\":\"" + eventId + "\",\"session_id\":\"" + sid
                + "\",\"data\":{\"tool_name\":\"Bash\",\"arguments\":{\"command\":\"pytest -x\"}}}";
    }

    private static void hook(Path events, String text) throws IOException {
        Files.writeString(events, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String onlySession(Path traces) throws IOException {
        try (Stream<Path> s = Files.list(traces)) {
            List<String> ids = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).toList();
            assertEquals(1, ids.size(), ids.toString());
            return ids.get(0);
        }
    }

    private static List<JsonNode> events(Path session) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(session.resolve("events.ndjson"))) {
            if (!line.isBlank()) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

}
