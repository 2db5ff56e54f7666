package dev.agenttrace.rules.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.store.EventRead;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.SessionWriter;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceJson;
import dev.agenttrace.store.TraceStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The actions on real files and real processes. */
class AlertActionsTest {
    @TempDir
    Path traces;

    private final List<String> terminal = Collections.synchronizedList(new ArrayList<>());
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private final List<Process> children = new ArrayList<>();
    private final Events ev = new Events();

    @AfterEach
    void killChildren() {
        for (Process p : children) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            ProcessSignals.send("CONT", p.pid());
            p.destroyForcibly();
        }
    }

    private AlertActions actions(Duration grace) {
        return AlertActions.builder().traceDir(traces).terminal(terminal::add).problems(problems::add).killGrace(grace).build();
    }

    /** A session in the store whose meta names {@code agentPid}; returns its id. */
    private String session(long agentPid) {
        SessionMeta m = new SessionMeta();
        m.sessionId = ev.session;
        m.agentName = "test-agent";
        m.attribution.put("agent_pid", agentPid);
        try (SessionWriter w = TraceStore.at(traces).create(m, StoreOptions.defaults())) {
            w.sessionId();
        }
        return m.sessionId;
    }

    private Process start(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        children.add(p);
        return p;
    }

    private SessionTarget target(SessionWatch w, long pid) {
        Path dir = traces.resolve(w.sessionId());
        return new SessionTarget(w, dir, pid, new EventAppender(dir.resolve("events.ndjson"), problems::add), false);
    }

    private static boolean await(java.util.function.BooleanSupplier condition, long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(10);
        }
        return condition.getAsBoolean();
    }

    @Test
    void fileAndTerminalAlertsAreWrittenAndTheAlertIsADecisionEvent() throws Exception {
        session(0);
        SessionWatch w = ev.watch("{\"watchers\": {\"retry\": {\"max\": 0, \"alert\": [\"terminal\", \"file\"]}}}");
        TraceEvent c = ev.call("read_file", "{\"path\": \"x\"}");
        Events.feed(w, c, ev.error(c, -32000, "ENOENT"));
        TraceEvent retry = ev.call("read_file", "{\"path\": \"x\"}");
        List<Alert> alerts = w.observe(retry);
        try (AlertActions a = actions(Duration.ofSeconds(1))) {
            a.dispatch(alerts.get(0), target(w, 0));
            assertTrue(a.awaitIdle(Duration.ofSeconds(5)));
        }
        assertEquals(1, terminal.size(), terminal.toString());
        assertTrue(terminal.get(0).startsWith("agent-trace watch: [warning] retry: read_file {\"path\":\"x\"} failed and was retried 1 times"),
                terminal.get(0));
        List<String> log = Files.readAllLines(traces.resolve("alerts.log"));
        assertEquals(1, log.size());
        assertTrue(log.get(0).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ  \\[warning] retry: .* \\(session " + ev.session + "\\)"), log.get(0));

        EventRead read = TraceStore.at(traces).readEvents(ev.session);
        assertTrue(read.warnings().isEmpty(), read.warnings().toString());
        TraceEvent recorded = read.events().get(read.events().size() - 1);
        assertEquals(EventTypes.DECISION, recorded.eventType(), "agent-strace reads only its own types: an alert is a decision");
        assertEquals("alert", recorded.data().path("kind").asText());
        assertEquals("alert", recorded.data().path("choice").asText());
        assertEquals("retry", recorded.data().path("rule").asText());
        assertEquals(retry.eventId(), recorded.parentId());
        assertTrue(problems.isEmpty(), problems.toString());
        SessionWatch again = ev.watch("{\"watchers\": {\"retry\": {\"max\": 0}}}");
        assertTrue(again.observe(recorded).isEmpty(), "the watch ignores its own alerts when it reads them back");
    }

    @Test
    void pauseLeavesTheAgentStoppedUntilResume() throws Exception {
        Process agent = start("sleep", "60");
        String sid = session(agent.pid());
        SessionWatch w = ev.watch("{\"watchers\": {\"loop\": {\"window\": 3, \"max_same_calls\": 2, \"alert\": \"pause\"}}}");
        List<Alert> alerts = Events.feed(w, ev.call("poll", "{}"), ev.call("poll", "{}"));
        assertEquals(1, alerts.size());
        try (AlertActions a = actions(Duration.ofSeconds(1))) {
            a.dispatch(alerts.get(0), target(w, agent.pid()));
            assertTrue(a.awaitIdle(Duration.ofSeconds(5)));
        }
        assertTrue(await(() -> ProcessSignals.state(agent.pid()) == 'T', 2_000), "state " + ProcessSignals.state(agent.pid()));
        Thread.sleep(200);
        assertEquals('T', ProcessSignals.state(agent.pid()), "still stopped: nothing resumes it but resume");
        assertTrue(terminal.stream().anyMatch(l -> l.contains("agent-trace resume " + sid)), terminal.toString());
        assertTrue(Files.exists(traces.resolve(sid).resolve(AlertActions.PAUSED_MARKER)));

        PauseControl.Resumed r = PauseControl.resume(TraceStore.at(traces), sid.substring(0, 6));
        assertEquals(agent.pid(), r.pid());
        assertTrue(await(() -> ProcessSignals.state(agent.pid()) == 'S', 2_000), "state " + ProcessSignals.state(agent.pid()));
        assertFalse(Files.exists(traces.resolve(sid).resolve(AlertActions.PAUSED_MARKER)));
        List<TraceEvent> events = TraceStore.at(traces).readEvents(sid).events();
        assertEquals("resume", events.get(events.size() - 1).data().path("kind").asText());
    }

    @Test
    void killEndsTheAgentsProcessGroupAndWritesThePostmortem() throws Exception {
        Process agent = start("setsid", "sh", "-c", "sleep 300 & sleep 300 & wait");
        assertTrue(await(() -> agent.descendants().count() == 2, 3_000));
        List<ProcessHandle> family = new ArrayList<>(agent.descendants().toList());
        family.add(agent.toHandle());
        String sid = session(agent.pid());
        SessionWatch w = ev.watch("{\"watchers\": {\"retry\": {\"max\": 0, \"alert\": \"kill\"}}}");
        TraceEvent c = ev.call("deploy", "{\"env\": \"prod\"}");
        Events.feed(w, c, ev.error(c, -32000, "timeout"));
        List<Alert> alerts = w.observe(ev.call("deploy", "{\"env\": \"prod\"}"));
        try (AlertActions a = actions(Duration.ofSeconds(2))) {
            a.dispatch(alerts.get(0), target(w, agent.pid()));
            assertTrue(a.awaitIdle(Duration.ofSeconds(5)));
        }
        for (ProcessHandle h : family) {
            assertTrue(await(() -> !ProcessSignals.alive(h.pid()), 3_000), "pid " + h.pid() + " is gone");
        }
        assertTrue(terminal.stream().anyMatch(l -> l.contains("SIGTERM to process group " + agent.pid())), terminal.toString());
        JsonNode pm = TraceJson.mapper().readTree(traces.resolve(sid).resolve(Postmortem.FILE_NAME).toFile());
        assertEquals(sid, pm.path("session_id").asText());
        assertTrue(pm.path("reason").asText().startsWith("retry: deploy"), pm.toString());
        assertEquals("deploy", pm.path("last_tool_call").path("tool_name").asText());
        assertEquals("prod", pm.path("last_tool_call").path("arguments").path("env").asText());
        assertEquals(3, pm.path("recent_events").size());
        assertEquals(2, pm.path("counters").path("tool_calls").asInt());
        assertEquals("critical", pm.path("alert").path("severity").asText());
        assertTrue(pm.path("recovery_context").asText().contains("Resume from the last tool call"), pm.toString());
    }

    @Test
    void killEscalatesToSigkillAfterTheGrace() throws Exception {
        Process agent = start("setsid", "sh", "-c", "trap '' TERM; sleep 300 & wait");
        assertTrue(await(() -> agent.descendants().count() == 1, 3_000));
        List<ProcessHandle> family = new ArrayList<>(agent.descendants().toList());
        family.add(agent.toHandle());
        session(agent.pid());
        SessionWatch w = ev.watch("{\"watchers\": {\"loop\": {\"window\": 2, \"max_same_calls\": 2, \"alert\": \"kill\"}}}");
        List<Alert> alerts = Events.feed(w, ev.call("spin", "{}"), ev.call("spin", "{}"));
        long start = System.nanoTime();
        try (AlertActions a = actions(Duration.ofMillis(400))) {
            a.dispatch(alerts.get(0), target(w, agent.pid()));
            assertTrue(a.awaitIdle(Duration.ofSeconds(5)));
            Thread.sleep(200);
            assertTrue(ProcessSignals.alive(agent.pid()), "SIGTERM is ignored");
        }
        for (ProcessHandle h : family) {
            assertTrue(await(() -> !ProcessSignals.alive(h.pid()), 3_000), "pid " + h.pid() + " is gone");
        }
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(400));
        assertTrue(terminal.stream().anyMatch(l -> l.contains("SIGKILL")), terminal.toString());
    }

    @Test
    void killOfAnAgentInOurOwnProcessGroupSparesUs() throws Exception {
        Process agent = start("sh", "-c", "sleep 300 & wait");
        assertTrue(await(() -> agent.descendants().count() == 1, 3_000));
        ProcessHandle sleeper = agent.descendants().findFirst().orElseThrow();
        session(agent.pid());
        SessionWatch w = ev.watch("{\"watchers\": {\"loop\": {\"window\": 2, \"max_same_calls\": 2, \"alert\": \"kill\"}}}");
        List<Alert> alerts = Events.feed(w, ev.call("spin", "{}"), ev.call("spin", "{}"));
        try (AlertActions a = actions(Duration.ofMillis(500))) {
            a.dispatch(alerts.get(0), target(w, agent.pid()));
            assertTrue(a.awaitIdle(Duration.ofSeconds(5)));
        }
        assertTrue(await(() -> !ProcessSignals.alive(agent.pid()) && !ProcessSignals.alive(sleeper.pid()), 3_000));
        assertTrue(terminal.stream().anyMatch(l -> l.contains("is this process's own")), terminal.toString());
    }

    @Test
    void pauseWithoutAKnownPidIsReportedNotIgnored() throws Exception {
        session(0);
        SessionWatch w = ev.watch("{\"watchers\": {\"loop\": {\"window\": 2, \"max_same_calls\": 2, \"alert\": \"pause\"}}}");
        List<Alert> alerts = Events.feed(w, ev.call("spin", "{}"), ev.call("spin", "{}"));
        try (AlertActions a = actions(Duration.ofSeconds(1))) {
            a.dispatch(alerts.get(0), target(w, 0));
            assertTrue(a.awaitIdle(Duration.ofSeconds(5)));
        }
        assertTrue(problems.get(0).contains("pid is unknown"), problems.toString());
    }

    @Test
    void blockInlineRecordsTheRefusedCall() throws Exception {
        session(0);
        SessionWatch w = ev.watch("{\"watchers\": {\"loop\": {\"window\": 2, \"max_same_calls\": 2, \"alert\": \"block\"}}}");
        TraceEvent second = ev.call("spin", "{}");
        List<Alert> alerts = Events.feed(w, ev.call("spin", "{}"), second);
        Block b = w.blocked();
        assertNotNull(b);
        Path dir = traces.resolve(ev.session);
        List<TraceEvent> recorded = Collections.synchronizedList(new ArrayList<>());
        try (AlertActions a = actions(Duration.ofSeconds(1))) {
            a.dispatch(alerts.get(0), new SessionTarget(w, dir, 0, recorded::add, true));
            assertTrue(a.awaitIdle(Duration.ofSeconds(5)));
        }
        assertEquals("block", recorded.get(0).data().path("choice").asText());
        assertEquals(second.eventId(), recorded.get(0).parentId());
        TraceEvent later = AlertEvents.blockedCall(b, ev.session, "abcdefabcdef", "other");
        assertEquals("watch_block", later.data().path("kind").asText());
        assertTrue(later.data().path("reason").asText().contains("\"other\" was NOT executed"));
        assertNull(problems.isEmpty() ? null : problems.get(0));
    }
}
