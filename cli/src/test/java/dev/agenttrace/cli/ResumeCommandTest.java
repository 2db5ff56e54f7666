package dev.agenttrace.cli;

import static dev.agenttrace.cli.WatchTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.cli.WatchTestSupport.Result;
import dev.agenttrace.cli.WatchTestSupport.Session;
import dev.agenttrace.rules.watch.ProcessSignals;
import java.io.IOException;
import java.nio.file.Path;
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
