package dev.agenttrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.cli.CliTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agent-trace policy diff} over two policies and the agent-strace hook session. */
class PolicyDiffCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String STORE = TestFixtures.agentStraceStore().toString();

    @TempDir
    Path tmp;
    Path older;
    Path newer;

    @BeforeEach
    void policies() throws Exception {
        older = tmp.resolve("old.json");
        newer = tmp.resolve("new.json");
        Files.writeString(older, "{\"commands\": {\"deny\": [\"curl\"]}}");
        Files.writeString(newer, "{\"files\": {\"read\": {\"deny\": [\".env\"]}}, \"commands\": {\"allow\": [\"uv run\", \"git status\"], \"deny\": [\"curl\"]}}");
    }

    private static Set<String> eventIds(JsonNode calls) {
        Set<String> out = new TreeSet<>();
        calls.forEach(c -> out.add(c.path("session_id").asText() + "/" + c.path("event_id").asText()));
        return out;
    }

    @Test
    void namesExactlyTheCallsTheNewPolicyBlocksAndExitsOne() throws Exception {
        Result r = CliTest.run("policy", "diff", older.toString(), newer.toString(), "--sessions", "7f3e", "--json", "--trace-dir", STORE);
        assertEquals(3, r.code(), r.err());
        JsonNode o = JSON.readTree(r.out());
        // the .env read (files.read.deny) and the python run that commands.allow does not list
        assertEquals(Set.of("7f3e9a10-hooks-s/594cd6b747f2", "7f3e9a10-hooks-s/fc090054a365"), eventIds(o.path("newly_blocked")), r.out());
        assertEquals(0, o.path("no_longer_blocked").size());
        assertEquals(5, o.path("tool_calls").asInt());
        List<String> rules = new ArrayList<>();
        o.path("rules").forEach(c -> rules.add(c.path("change").asText() + " " + c.path("section").asText() + " " + c.path("rule").asText()));
        assertEquals(List.of("+ files.read.deny \".env\"", "+ commands.allow \"uv run\"", "+ commands.allow \"git status\""), rules);
        assertEquals(0, o.path("loosens").size(), "an allow list where there was none restricts: " + o.path("loosens"));
        JsonNode envRead = o.path("newly_blocked").get(0).path("event_id").asText().equals("594cd6b747f2")
                ? o.path("newly_blocked").get(0) : o.path("newly_blocked").get(1);
        assertEquals("files.read.deny \".env\"", envRead.path("decision").path("rule").asText());
    }

    @Test
    void theReverseChangeBlocksNothingNewListsWhatItStopsBlockingAndWhatLoosens() {
        Result r = CliTest.run("policy", "diff", newer.toString(), older.toString(), "--trace-dir", STORE);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("- files.read.deny \".env\""), r.out());
        assertTrue(r.out().contains("files.read.deny loses \".env\""), r.out());
        assertTrue(r.out().contains("NEW blocks 0 calls that OLD allows"), r.out());
        assertTrue(r.out().contains("NEW allows 2 calls that OLD blocks:"), r.out());
        assertTrue(r.out().contains("event 594cd6b747f2"), r.out());
        assertTrue(r.out().contains("replayed over 5 sessions, 9 tool calls"), r.out());
    }

    @Test
    void aBrokenPolicyIsBadInputNamingFileLineAndColumn() throws Exception {
        Files.writeString(newer, "{\"files\": {\"read\": {\"denny\": []}}}");
        Result r = CliTest.run("policy", "diff", older.toString(), newer.toString(), "--trace-dir", STORE);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("NEW " + newer + ":1:"), r.err());
        assertTrue(r.err().contains("did you mean \"deny\""), r.err());
    }
}
