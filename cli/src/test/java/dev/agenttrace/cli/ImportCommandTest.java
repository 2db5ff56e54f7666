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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agent-trace import} of a Claude Code transcript, then what {@code list}, {@code show}, {@code explain} and {@code audit} say. */
class ImportCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String AGENT_SESSION = "3b1c7a52-9d0e-4f6a-8b21-5c4e2f1a9d77";

    @TempDir
    Path tmp;

    static Path fixture() throws Exception {
        return Path.of(ImportCommandTest.class.getResource("/fixtures/claude-code/transcript-fix-checkout.jsonl").toURI());
    }

    private static String sessionIdOf(String importOutput) {
        return importOutput.replaceAll("(?s).*-> session ([0-9a-f]{16}).*", "$1");
    }

    @Test
    void showAndExplainTellTheImportedSessionAndASecondImportChangesNothing() throws Exception {
        String store = tmp.resolve("traces").toString();
        Result r = CliTest.run("import", fixture().toString(), "--trace-dir", store);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("imported "), r.out());
        assertTrue(r.out().contains("(6 tool calls, 1 error, subagents "), r.out());
        String id = sessionIdOf(r.out());

        Result show = CliTest.run("show", id, "--trace-dir", store);
        assertEquals(0, show.code(), show.err());
        assertTrue(show.out().contains("session_start  claude-code-transcript"), show.out());
        assertTrue(show.out().contains("user_prompt    the checkout test fails since yesterday, fix it"), show.out());
        assertTrue(show.out().contains("tool_result    Read"), show.out());
        assertTrue(show.out().contains("error          Bash Exit code 1"), show.out());
        assertTrue(show.out().contains("GITHUB_TOKEN=[REDACTED]"), show.out());

        Result explain = CliTest.run("explain", id, "--trace-dir", store);
        assertEquals(0, explain.code(), explain.err());
        assertTrue(explain.out().contains("tool calls 6   errors 1"), explain.out());
        assertTrue(explain.out().contains("for 9,190 tokens (token counts from the trace"), explain.out());
        assertTrue(explain.out().contains("Bash: Exit code 1"), explain.out());
        assertTrue(explain.out().contains("wrote  /home/dev/shop/tests/test_checkout.py"), explain.out());

        Result again = CliTest.run("import", fixture().toString(), "--trace-dir", store);
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().startsWith("unchanged "), again.out());
        assertTrue(again.out().contains("0 imported, 0 updated, 1 unchanged"), again.out());
        Result list = CliTest.run("list", "--trace-dir", store);
        assertEquals(3, list.out().lines().count(), "a header, the session and its subagent: " + list.out());
        assertTrue(list.out().contains("claude-code subagent (transcript)"), list.out());
    }

    @Test
    void theStarterPolicyAuditsAnImportedSession() throws Exception {
        String store = tmp.resolve("traces").toString();
        Path project = Files.createDirectories(tmp.resolve("shop/.git")).getParent();
        assertEquals(0, CliTest.run("policy", "init", "--dir", project.toString()).code());
        String id = sessionIdOf(CliTest.run("import", fixture().toString(), "--trace-dir", store).out());
        Result audit = CliTest.run("audit", id, "--json", "--policy", project.resolve(".agent-scope.json").toString(), "--trace-dir", store);
        assertEquals(3, audit.code(), audit.out() + audit.err());
        List<String> flagged = new ArrayList<>();
        for (JsonNode s : JSON.readTree(audit.out())) {
            for (JsonNode v : s.path("violations")) {
                flagged.add(v.path("tool_name").asText() + " " + v.path("arguments").path("command").asText());
            }
        }
        assertEquals(List.of("Bash pytest tests/test_checkout.py -q && cat .env"), flagged, audit.out());
    }

    @Test
    void findsAProjectsTranscriptsInClaudeCodesHome() throws Exception {
        Assumptions.assumeTrue(System.getenv("CLAUDE_CONFIG_DIR") == null, "CLAUDE_CONFIG_DIR would point elsewhere");
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path project = Files.createDirectories(tmp.resolve("work/my_app")).toRealPath();
        Path dir = Files.createDirectories(home.resolve(".claude/projects/" + project.toString().replaceAll("[^A-Za-z0-9]", "-")));
        Files.copy(fixture(), dir.resolve(AGENT_SESSION + ".jsonl"));
        Files.createDirectories(home.resolve(".claude/projects/-some-other-project"));
        Files.copy(fixture(), home.resolve(".claude/projects/-some-other-project/other.jsonl"));
        String before = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        try {
            String store = tmp.resolve("traces").toString();
            Result one = CliTest.run("import", "--claude-code", "--project", project.toString(), "--trace-dir", store);
            assertEquals(0, one.code(), one.err());
            assertTrue(one.out().contains("1 imported, 0 updated, 0 unchanged"), one.out());
            assertTrue(one.out().contains(AGENT_SESSION + ".jsonl"), one.out());
            Result all = CliTest.run("import", "--claude-code", "--trace-dir", store);
            assertEquals(0, all.code(), all.err());
            assertTrue(all.out().contains("0 imported, 0 updated, 2 unchanged"), "one session id, one session: " + all.out());
        } finally {
            System.setProperty("user.home", before);
        }
    }
}
