package dev.agenttrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.cli.CliTest.Result;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agent-trace drift} as a user types it, over a generated store and the agent-strace fixtures. */
class DriftCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** A session of {@code agent} that reads {@code files} files, an hour after the previous one. */
    static void session(Path store, int i, String agent, int files) throws IOException {
        String id = String.format(Locale.ROOT, "c1c1c1c1%08d", i);
        double t = 1_795_000_000.0 + i * 3600.0;
        Path dir = Files.createDirectories(store.resolve(id));
        List<String> lines = new ArrayList<>();
        int n = 0;
        lines.add(TraceJson.eventLine(new TraceEvent(EventTypes.SESSION_START, t, id + "-" + n++, id, null, null, F.objectNode())));
        double at = t + 0.1;
        for (int f = 0; f < files; f++) {
            ObjectNode call = F.objectNode().put("tool_name", "Read");
            call.putObject("arguments").put("file_path", "src/f" + f + ".java");
            String callId = id + "-" + n++;
            lines.add(TraceJson.eventLine(new TraceEvent(EventTypes.TOOL_CALL, at, callId, id, null, null, call)));
            lines.add(TraceJson.eventLine(new TraceEvent(EventTypes.TOOL_RESULT, at + 0.01, id + "-" + n++, id, callId, 10.0,
                    F.objectNode().put("content_preview", "ok"))));
            at += 0.1;
        }
        lines.add(TraceJson.eventLine(new TraceEvent(EventTypes.SESSION_END, at, id + "-" + n, id, null, null, F.objectNode().put("exit_code", 0))));
        Files.write(dir.resolve("events.ndjson"), lines);
        SessionMeta meta = new SessionMeta();
        meta.sessionId = id;
        meta.agentName = agent;
        meta.command = agent;
        meta.startedAt = t;
        meta.endedAt = at;
        meta.totalDurationMs = (at - t) * 1000;
        Files.writeString(dir.resolve("meta.json"), TraceJson.metaJson(meta));
    }

    @Test
    void namesTheSessionWhereFilesTouchedJumpedWithValueAndBaseline(@TempDir Path store) throws IOException {
        for (int i = 0; i < 7; i++) {
            session(store, i, "nightly", i == 5 ? 30 : 6);
        }
        Result text = CliTest.run("drift", "--trace-dir", store.toString());
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("c1c1c1c100000005  2026-11-18 16:06:40  files_touched up: 30 (baseline 6, 5.0x)"), text.out());
        assertEquals(1, text.out().lines().filter(l -> l.contains("files_touched up")).count(), "the steady sessions are not named: " + text.out());

        Result json = CliTest.run("drift", "--json", "--window", "3", "--trace-dir", store.toString());
        assertEquals(0, json.code(), json.err());
        JsonNode r = JSON.readTree(json.out());
        assertEquals(3, r.path("window").asInt());
        assertEquals(7, r.path("sessions").size());
        assertTrue(r.path("sessions").get(2).path("baseline").isNull(), "two earlier sessions make no baseline");
        assertEquals(6, r.path("sessions").get(3).path("baseline").path("files_touched").asInt());
        JsonNode changes = r.path("changes");
        assertEquals(1, changes.size(), json.out());
        assertEquals("c1c1c1c100000005", changes.get(0).path("session_id").asText());
        assertEquals("files_touched", changes.get(0).path("metric").asText());
        assertEquals(30, changes.get(0).path("value").asInt());
        assertEquals(6, changes.get(0).path("baseline").asInt());
        assertTrue(changes.get(0).has("tool") && changes.get(0).path("tool").isNull(), "every key present: " + changes.get(0));
        assertEquals(json.out(), CliTest.run("drift", "--json", "--window", "3", "--trace-dir", store.toString()).out(), "stable");

        Result one = CliTest.run("drift", "--agent", "nobody", "--trace-dir", store.toString());
        assertEquals(0, one.code());
        assertTrue(one.err().contains("no sessions of an agent matching 'nobody'"), one.err());
    }

    @Test
    void readsTheAgentStraceFixturesAndRefusesBadNumbers(@TempDir Path store) throws IOException {
        TestFixtures.copyAgentStraceStore(store);
        Result r = CliTest.run("drift", "--trace-dir", store.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("7f3e9a10-hooks-s") && l.contains("Bash,Edit,Read")), r.out());
        assertTrue(r.out().contains("no changes"), r.out());
        JsonNode json = JSON.readTree(CliTest.run("drift", "--json", "--trace-dir", store.toString()).out());
        assertEquals(5, json.path("sessions").size());
        assertFalse(json.path("changes").elements().hasNext());
        for (String[] bad : new String[][] {{"--window", "0"}, {"--last", "0"}, {"--factor", "1"}}) {
            Result b = CliTest.run("drift", bad[0], bad[1], "--trace-dir", store.toString());
            assertEquals(2, b.code(), String.join(" ", bad));
            assertTrue(b.err().contains(bad[0] + " " + bad[1]), b.err());
        }
    }
}
