package dev.agenttrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.cli.CliTest.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agent-trace policy suggest} over the agent-strace fixture store, as a user runs it. */
class PolicySuggestCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    Path store;

    @BeforeEach
    void copyFixtures() throws IOException {
        store = tmp.resolve("traces");
        Path from = TestFixtures.agentStraceStore();
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = store.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().startsWith(".agent-trace-index")) {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void printsAPolicyThatPassesCheckAndBlocksOnlyTheEnvReadOfItsSessions() throws Exception {
        Result r = CliTest.run("policy", "suggest", "--trace-dir", store.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode policy = JSON.readTree(r.out());
        assertEquals(List.of("src/auth.py"), strings(policy.at("/files/read/allow")), r.out());
        assertTrue(strings(policy.at("/files/read/deny")).contains(".env"), r.out());
        assertEquals(List.of("python -m pytest *", "uv run pytest *"), strings(policy.at("/commands/allow")), r.out());
        assertEquals("1 call in 1 session", policy.at("/commands/$comment").path("uv run pytest *").asText(), r.out());
        assertTrue(r.err().contains("learned from 9 tool calls in 5 sessions"), r.err());
        assertTrue(r.err().contains("secrets-bearing"), r.err());
        Path file = tmp.resolve("suggested.json");
        Files.writeString(file, r.out());
        Result check = CliTest.run("policy", "check", file.toString());
        assertEquals(0, check.code(), check.err());
        // enforce mode, the real evaluator, the sessions it came from: only the .env read is blocked
        Result audit = CliTest.run("audit", "--all", "--json", "--policy", file.toString(), "--trace-dir", store.toString());
        List<String> blocked = new ArrayList<>();
        for (JsonNode s : JSON.readTree(audit.out())) {
            for (JsonNode v : s.path("violations")) {
                blocked.add(v.path("tool_name").asText() + " " + v.path("arguments").path("file_path").asText());
            }
        }
        assertEquals(List.of("Read /home/dev/proj/.env"), blocked, audit.out());
    }

    @Test
    void writesWithOutputButNeverOverwritesWithoutForce() throws Exception {
        Path file = tmp.resolve(".agent-scope.json");
        Files.writeString(file, "{}");
        Result refused = CliTest.run("policy", "suggest", "--all", "-o", file.toString(), "--trace-dir", store.toString());
        assertEquals(2, refused.code(), refused.err());
        assertTrue(refused.err().contains("exists; pass --force"), refused.err());
        assertEquals("{}", Files.readString(file), "the file is untouched");
        Result forced = CliTest.run("policy", "suggest", "--all", "-o", file.toString(), "--force", "--trace-dir", store.toString());
        assertEquals(0, forced.code(), forced.err());
        assertTrue(forced.out().contains("wrote " + file), "the report goes to stdout when the policy goes to a file: " + forced.out());
        assertTrue(JSON.readTree(Files.readString(file)).at("/network/deny_all").asBoolean());
    }

    @Test
    void mergeKeepsTheExistingDeniesWhichPolicyDiffConfirms() throws Exception {
        Path existing = tmp.resolve("old.json");
        Files.writeString(existing, """
                {"files": {"write": {"deny": ["src/auth.py", ".github/**"]}}, "commands": {"deny": ["curl"]}}
                """);
        Path merged = tmp.resolve("new.json");
        Result r = CliTest.run("policy", "suggest", "--merge", existing.toString(), "-o", merged.toString(), "--trace-dir", store.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode p = JSON.readTree(Files.readString(merged));
        assertTrue(strings(p.at("/files/write/deny")).containsAll(List.of("src/auth.py", ".github/**")), p.toPrettyString());
        assertEquals(List.of("curl"), strings(p.at("/commands/deny")));
        assertTrue(r.out().contains("for a person to decide"), "the Edit the kept deny blocks is reported: " + r.out());
        Result diff = CliTest.run("policy", "diff", existing.toString(), merged.toString(), "--json", "--trace-dir", store.toString());
        for (JsonNode c : JSON.readTree(diff.out()).path("rules")) {
            assertFalse(c.path("change").asText().equals("-") && c.path("section").asText().endsWith(".deny"), "a deny was dropped: " + c);
        }
        for (JsonNode l : JSON.readTree(diff.out()).path("loosens")) {
            assertFalse(l.asText().contains("deny"), l.asText());
        }
    }

    @Test
    void helpNamesTheThresholdShadowModeAndTheExitCodes() {
        Result suggest = CliTest.run("policy", "suggest", "--help");
        assertEquals(0, suggest.code());
        assertTrue(suggest.out().contains("dir/** once 3 distinct paths"), suggest.out());
        assertTrue(suggest.out().contains("--policy-mode shadow"), suggest.out());
        assertTrue(suggest.out().contains("Exit 0 with a suggestion"), suggest.out());
        Result diff = CliTest.run("policy", "diff", "--help");
        assertTrue(diff.out().contains("Exit 0 if NEW blocks no recorded call that OLD allows, 1 if it blocks some"), diff.out());
    }

    @Test
    void selectsSessionsByAgentLastAndId() throws Exception {
        Result byAgent = CliTest.run("policy", "suggest", "--agent", "claude", "--trace-dir", store.toString());
        assertEquals(0, byAgent.code(), byAgent.err());
        assertTrue(byAgent.err().contains("learned from 5 tool calls in 1 sessions"), byAgent.err());
        Result byId = CliTest.run("policy", "suggest", "31779b9b", "--trace-dir", store.toString());
        assertTrue(byId.err().contains("learned from 2 tool calls in 1 sessions"), byId.err());
        Result none = CliTest.run("policy", "suggest", "--agent", "nobody", "--trace-dir", store.toString());
        assertEquals(2, none.code());
        assertTrue(none.err().contains("no sessions matching --agent nobody"), none.err());
        Result both = CliTest.run("policy", "suggest", "31779b9b", "--last", "2", "--trace-dir", store.toString());
        assertEquals(2, both.code(), both.err());
        Result since = CliTest.run("policy", "suggest", "--since", "1795352700", "--trace-dir", store.toString());
        assertTrue(since.err().contains("learned from 4 tool calls in 2 sessions"), "the proxy session and its torn copy: " + since.err());
        Result last = CliTest.run("policy", "suggest", "--last", "3", "--trace-dir", store.toString());
        assertTrue(last.err().contains("learned from 9 tool calls in 3 sessions"), last.err());
        Result badSince = CliTest.run("policy", "suggest", "--since", "yesterday", "--trace-dir", store.toString());
        assertEquals(2, badSince.code());
        assertTrue(badSince.err().contains("--since yesterday is not a time"), badSince.err());
    }
}
