package dev.agenttrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.SessionWriter;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client's probe (start the server, see it answer, stop it) is not listed as work unless asked for. */
class ProbeSessionsTest {
    @TempDir
    Path dir;

    private void session(String id, double start, double seconds, boolean toolCall) throws Exception {
        SessionMeta m = new SessionMeta();
        m.sessionId = id;
        m.startedAt = start;
        m.command = "npx server-" + id;
        SessionWriter w = TraceStore.at(dir).create(m, StoreOptions.defaults());
        if (toolCall) {
            var data = JsonNodeFactory.instance.objectNode().put("tool_name", "read_file");
            data.putObject("arguments").put("path", "a");
            w.submit(new TraceEvent(EventTypes.TOOL_CALL, start + seconds / 2, "00000000000" + id.charAt(0), id, null, null, data));
        }
        w.submit(new TraceEvent(EventTypes.SESSION_END, start + seconds, "0000000000e" + id.charAt(0), id, null, null,
                JsonNodeFactory.instance.objectNode()));
        w.close();
    }

    @Test
    void aSessionWithNoToolTrafficThatEndedWithinASecondIsLeftOutOfListUntilAskedFor() throws Exception {
        double t = 1_780_000_000;
        session("1aaaaaaaaaaaaaaa", t, 0.4, false);     // a probe
        session("2bbbbbbbbbbbbbbb", t + 10, 0.4, true); // short, but it called a tool
        session("3ccccccccccccccc", t + 20, 5, false);  // no tools, but it stayed up: somebody used it
        CliTest.Result r = CliTest.run("list", "--trace-dir", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().contains("1aaaaaaaaaaaaaaa"), r.out());
        assertTrue(r.out().contains("2bbbbbbbbbbbbbbb") && r.out().contains("3ccccccccccccccc"), r.out());
        assertTrue(r.out().contains("1 probe session (no tool traffic, ended within a second) not listed; --probes lists them"), r.out());

        CliTest.Result all = CliTest.run("list", "--probes", "--trace-dir", dir.toString());
        assertTrue(all.out().contains("1aaaaaaaaaaaaaaa") && all.out().contains("2bbbbbbbbbbbbbbb"), all.out());
        assertFalse(all.out().contains("probe session"), all.out());

        JsonNode json = new ObjectMapper().readTree(CliTest.run("list", "--json", "--trace-dir", dir.toString()).out());
        assertEquals(2, json.size(), json.toString());

        // and a session that is still open (no end yet) is never taken for a probe
        SessionMeta open = new SessionMeta();
        open.sessionId = "4ddddddddddddddd";
        open.startedAt = System.currentTimeMillis() / 1000.0;
        SessionWriter w = TraceStore.at(dir).create(open, StoreOptions.defaults());
        try {
            assertTrue(CliTest.run("list", "--trace-dir", dir.toString()).out().contains("4ddddddddddddddd"));
        } finally {
            w.close();
        }
    }

    @Test
    void whenOnlyProbesAreThereListSaysSoInsteadOfNoSessions() throws Exception {
        session("1aaaaaaaaaaaaaaa", 1_780_000_000, 0.2, false);
        CliTest.Result r = CliTest.run("list", "--trace-dir", dir.toString());
        assertEquals(0, r.code());
        assertTrue(r.err().contains("no sessions with tool traffic") && r.err().contains("--probes lists them"), r.err());
    }
}
