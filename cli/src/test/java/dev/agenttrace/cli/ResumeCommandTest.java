package dev.agenttrace.cli;

import static dev.agenttrace.cli.WatchTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.cli.WatchTestSupport.Result;
import dev.agenttrace.cli.WatchTestSupport.Session;
import dev.agenttrace.rules.watch.ProcessSignals;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.rules.watch.AlertActions;
import dev.agenttrace.rules.watch.SessionContext;
import dev.agenttrace.rules.watch.SessionTarget;
import dev.agenttrace.rules.watch.SessionWatch;
import dev.agenttrace.rules.watch.WatchConfig;
import dev.agenttrace.rules.watch.WatchConfigParser;
import dev.agenttrace.rules.watch.WatchedSession;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResumeCommandTest {
    @TempDir
    Path store;

    private Process agent;

    @AfterEach
    void end() {
        if (agent != null) {
            ProcessSignals.send("CONT", agent.pid());
            agent.destroyForcibly();
        }
    }

    private Process stoppedAgent() throws IOException, InterruptedException {
        agent = new ProcessBuilder("sleep", "60").start();
        assertEquals(null, ProcessSignals.send("STOP", agent.pid()));
        for (int i = 0; i < 100 && ProcessSignals.state(agent.pid()) != 'T'; i++) {
            Thread.sleep(10);
        }
        assertEquals('T', ProcessSignals.state(agent.pid()));
        return agent;
    }

    private static void awaitRunning(long pid) throws InterruptedException {
        for (int i = 0; i < 200 && ProcessSignals.state(pid) == 'T'; i++) {
            Thread.sleep(10);
        }
        assertTrue(ProcessSignals.state(pid) != 'T', "state " + ProcessSignals.state(pid));
    }

    @Test
    void resumesTheAgentOfASession() throws Exception {
        Process p = stoppedAgent();
        Session s = new Session(store, "7e57000000000001", null, "agent", p.pid());
        Result r = run("resume", s.id.substring(0, 5), "--trace-dir", store.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("resumed pid " + p.pid() + " (session " + s.id + ")\n", r.out());
        awaitRunning(p.pid());
    }

    @Test
    void resumesAPid() throws Exception {
        Process p = stoppedAgent();
        Result r = run("resume", Long.toString(p.pid()), "--trace-dir", store.toString());
        assertEquals(0, r.code(), r.err());
        awaitRunning(p.pid());
    }

    @Test
    void closesTheBreakerOfABlockedSessionWhoseRecorderRuns() throws Exception {
        Session s = new Session(store, "7e57000000000003", null, "agent");
        WatchConfig config = WatchConfigParser.parse("{\"rules\": [{\"name\": \"two calls\", \"condition\": \"tool_calls > 1\", \"action\": \"block\"}]}",
                ".agent-watch.json", store);
        SessionWatch w = new SessionWatch(config, SessionContext.here(s.id, null));
        List<TraceEvent> recorded = new CopyOnWriteArrayList<>();
        try (AlertActions actions = AlertActions.builder().traceDir(store).terminal(x -> { }).build()) {
            WatchedSession ws = new WatchedSession(new SessionTarget(w, s.dir, 0, recorded::add, true), actions);
            double t = 1_700_000_000;
            for (int i = 0; i < 2; i++) {
                ObjectNode d = TraceJson.mapper().createObjectNode().put("tool_name", "read_file").put("request_id", i);
                ws.observe(new TraceEvent(EventTypes.TOOL_CALL, t + i, "c" + i, s.id, null, null, d));
            }
            assertNotNull(ws.blocked(), "the second call trips the budget");
            assertTrue(ws.awaitActions(Duration.ofSeconds(30)));

            Result r = run("resume", s.id, "--trace-dir", store.toString());
            assertEquals(0, r.code(), r.err());
            assertEquals("closed the breaker of the recorder pid " + ProcessHandle.current().pid() + " (session " + s.id + ")\n", r.out());
            ws.tick(t + 3);
            assertNull(ws.blocked(), "the recorder's next tick lets calls through");
            assertTrue(ws.awaitActions(Duration.ofSeconds(30)));
            assertTrue(recorded.stream().anyMatch(e -> "closed".equals(e.data().path("choice").asText())
                    && "resume".equals(e.data().path("by").asText())), recorded.toString());
        }
        Result again = run("resume", s.id, "--trace-dir", store.toString());
        assertEquals(2, again.code(), "nothing is blocked or paused any more");
    }

    @Test
    void aStaleBreakerMarkerIsRemovedAndSaidSo() throws Exception {
        Session s = new Session(store, "7e57000000000004", null, "agent");
        Files.writeString(s.dir.resolve(AlertActions.BLOCKED_MARKER), "999999999");
        Result r = run("resume", s.id, "--trace-dir", store.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no longer running"), r.err());
        assertFalse(Files.exists(s.dir.resolve(AlertActions.BLOCKED_MARKER)));
    }

    @Test
    void nothingToResumeIsAOneLineUserError() {
        new Session(store, "7e57000000000002", null, "agent");
        Result noPid = run("resume", "7e57", "--trace-dir", store.toString());
        assertEquals(2, noPid.code());
        assertTrue(noPid.err().startsWith("agent-trace: session 7e57000000000002 has no paused agent on record"), noPid.err());
        Result gone = run("resume", "999999999", "--trace-dir", store.toString());
        assertEquals(2, gone.code());
        assertTrue(gone.err().contains("no process 999999999"), gone.err());
        Result unknown = run("resume", "zzz", "--trace-dir", store.toString());
        assertEquals(2, unknown.code());
        assertEquals(1, unknown.err().lines().count(), unknown.err());
    }
}
