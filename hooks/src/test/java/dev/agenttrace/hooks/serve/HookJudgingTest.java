package dev.agenttrace.hooks.serve;

import static dev.agenttrace.hooks.serve.HookServerFixture.event;
import static dev.agenttrace.hooks.serve.HookServerFixture.failure;
import static dev.agenttrace.hooks.serve.HookServerFixture.has;
import static dev.agenttrace.hooks.serve.HookServerFixture.ofType;
import static dev.agenttrace.hooks.serve.HookServerFixture.postTool;
import static dev.agenttrace.hooks.serve.HookServerFixture.preTool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.rules.PolicyMode;
import dev.agenttrace.rules.watch.PauseControl;
import dev.agenttrace.store.TraceStore;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PreToolUse is judged before the tool runs by the project's firewall and breakers, and refused in Claude Code's own protocol. */
class HookJudgingTest {
    static final String SESSION = "0b1c2d3e-aaaa-4bbb-8ccc-dddddddddddd";
    static final String STORE_ID = "0b1c2d3e-aaaa-4b";

    @TempDir
    Path tmp;

    private Path project(String policy, String watch) throws Exception {
        Path p = Files.createDirectories(tmp.resolve("project"));
        if (policy != null) {
            Files.writeString(p.resolve(".agent-scope.json"), policy);
        }
        if (watch != null) {
            Files.writeString(p.resolve(".agent-watch.json"), watch);
        }
        return p;
    }

    @Test
    void deniesACommandThePolicyForbidsNamingTheRuleAndSayingItDidNotRun() throws Exception {
        Path project = project("{\"commands\": {\"deny\": [\"rm -rf\"]}}", null);
        try (HookServerFixture f = new HookServerFixture(tmp.resolve("traces"))) {
            JsonNode answer = f.claude(preTool(SESSION, project, "Bash", "toolu_1", "{\"command\":\"cd /tmp && rm -rf build\"}"));
            JsonNode out = answer.path("hookSpecificOutput");
            assertEquals("PreToolUse", out.path("hookEventName").asText());
            assertEquals("deny", out.path("permissionDecision").asText());
            String reason = out.path("permissionDecisionReason").asText();
            assertTrue(reason.contains("commands.deny"), reason);
            assertTrue(reason.contains("rm -rf"), reason);
            assertTrue(reason.contains("NOT"), reason);
            // an allowed call gets no opinion at all: "allow" would skip the user's own permission prompt
            assertEquals("{}", f.claude(preTool(SESSION, project, "Bash", "toolu_2", "{\"command\":\"ls\"}")).toString());

            List<JsonNode> ev = f.events(STORE_ID, has("decision", 1));
            JsonNode d = ofType(ev, "decision").get(0);
            assertEquals("policy_violation", d.path("data").path("kind").asText());
            assertEquals("block", d.path("data").path("choice").asText());
            assertEquals(ofType(ev, "tool_call").get(0).path("event_id").asText(), d.path("parent_id").asText());
        }
    }

    @Test
    void aPolicyInTheGitRootJudgesASessionStartedInASubdirectory() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Files.createDirectories(repo.resolve(".git"));
        Files.writeString(repo.resolve(".agent-scope.json"), "{\"files\": {\"read\": {\"deny\": [\".env\"]}}}");
        Files.writeString(repo.resolve(".env"), "TOKEN=x");
        Path sub = Files.createDirectories(repo.resolve("src/app"));
        try (HookServerFixture f = new HookServerFixture(tmp.resolve("traces"))) {
            JsonNode answer = f.claude(preTool(SESSION, sub, "Read", "toolu_1", "{\"file_path\":\"" + repo.resolve(".env") + "\"}"));
            assertEquals("deny", answer.path("hookSpecificOutput").path("permissionDecision").asText(), answer.toString());
            assertTrue(answer.toString().contains("files.read.deny"), answer.toString());
        }
    }

    @Test
    void aPolicyThatDoesNotParseRefusesEveryCallAndSaysWhere() throws Exception {
        Path project = project("{\"commands\": {\"deny\": [\"rm\"]", null);
        try (HookServerFixture f = new HookServerFixture(tmp.resolve("traces"))) {
            JsonNode answer = f.claude(preTool(SESSION, project, "Bash", "toolu_1", "{\"command\":\"ls\"}"));
            String reason = answer.path("hookSpecificOutput").path("permissionDecisionReason").asText();
            assertEquals("deny", answer.path("hookSpecificOutput").path("permissionDecision").asText());
            assertTrue(reason.contains(".agent-scope.json"), reason);
            assertTrue(reason.contains("NOT run"), reason);
        }
    }

    @Test
    void shadowModeLetsTheCallRunAndRecordsWhatItWouldHaveRefused() throws Exception {
        Path project = project("{\"commands\": {\"deny\": [\"curl\"]}}", null);
        try (HookServerFixture f = new HookServerFixture(tmp.resolve("traces"), PolicyMode.SHADOW, Duration.ofSeconds(5))) {
            assertEquals("{}", f.claude(preTool(SESSION, project, "Bash", "toolu_1", "{\"command\":\"curl https://example.com\"}")).toString());
            JsonNode d = ofType(f.events(STORE_ID, has("decision", 1)), "decision").get(0);
            assertEquals("shadow", d.path("data").path("mode").asText());
            assertEquals("allow", d.path("data").path("choice").asText());
            assertTrue(d.path("data").path("reason").asText().contains("curl"));
        }
    }

    @Test
    void eachProjectsOwnPolicyModeHoldsForItsSessionsUnlessServeWasGivenOne() throws Exception {
        String policy = "{\"commands\": {\"deny\": [\"curl\"]}}";
        Path observed = Files.createDirectories(tmp.resolve("observed"));
        Files.createDirectories(observed.resolve(".git"));
        Files.writeString(observed.resolve(".agent-scope.json"), policy);
        Files.writeString(observed.resolve(".agent-trace.json"), "{\"policy_mode\": \"shadow\"}");
        Path enforced = Files.createDirectories(tmp.resolve("enforced"));
        Files.createDirectories(enforced.resolve(".git"));
        Files.writeString(enforced.resolve(".agent-scope.json"), policy);
        Path broken = Files.createDirectories(tmp.resolve("broken"));
        Files.createDirectories(broken.resolve(".git"));
        Files.writeString(broken.resolve(".agent-scope.json"), policy);
        Files.writeString(broken.resolve(".agent-trace.json"), "{\"policy_mode\": \"shadwo\"}");
        String curl = "{\"command\":\"curl https://example.com\"}";
        try (HookServerFixture f = new HookServerFixture(tmp.resolve("traces"))) { // started without --policy-mode: enforce by default
            assertEquals("{}", f.claude(preTool("a1aaaaaa-0000-4000-8000-000000000000", observed, "Bash", "toolu_1", curl)).toString(),
                    "the observed project's shadow mode lets the call run");
            JsonNode d = ofType(f.events("a1aaaaaa-0000-40", has("decision", 1)), "decision").get(0);
            assertEquals("shadow", d.path("data").path("mode").asText());
            JsonNode strict = f.claude(preTool("a2aaaaaa-0000-4000-8000-000000000000", enforced, "Bash", "toolu_1", curl));
            assertEquals("deny", strict.path("hookSpecificOutput").path("permissionDecision").asText(), strict.toString());
            JsonNode typo = f.claude(preTool("a3aaaaaa-0000-4000-8000-000000000000", broken, "Bash", "toolu_1", "{\"command\":\"ls\"}"));
            assertEquals("deny", typo.path("hookSpecificOutput").path("permissionDecision").asText(),
                    "a mode that cannot be read judges nothing by a guess: " + typo);
            assertTrue(typo.toString().contains(".agent-trace.json"), typo.toString());
        }
        try (HookServerFixture f = new HookServerFixture(tmp.resolve("traces2"))) {
            f.service.modeFromCommandLine(true); // serve --policy-mode enforce
            JsonNode answer = f.claude(preTool("a4aaaaaa-0000-4000-8000-000000000000", observed, "Bash", "toolu_1", curl));
            assertEquals("deny", answer.path("hookSpecificOutput").path("permissionDecision").asText(),
                    "an explicit --policy-mode beats the project's file: " + answer);
        }
    }

    @Test
    void failingRetriesTripTheRetryBreakerAndKillStopsTheSession() throws Exception {
        Path project = project(null, "{\"watchers\": {\"retry\": {\"max\": 2, \"alert\": \"kill\"}}}");
        String cmd = "{\"command\":\"pytest tests/test_auth.py\"}";
        try (HookServerFixture f = new HookServerFixture(tmp.resolve("traces"))) {
            JsonNode last = null;
            int n = 0;
            for (; n < 6; n++) {
                last = f.claude(preTool(SESSION, project, "Bash", "toolu_" + n, cmd));
                if (last.has("continue")) {
                    break;
                }
                f.claude(failure(SESSION, project, "Bash", "toolu_" + n, cmd, "Exit code 1\n1 failed"));
            }
            assertEquals(3, n, "the first call and two retries run; the third retry trips max 2: " + last);
            assertFalse(last.path("continue").asBoolean(true));
            assertTrue(last.path("stopReason").asText().contains("retry"), last.toString());
            assertEquals("deny", last.path("hookSpecificOutput").path("permissionDecision").asText(), "the tripping call itself does not run");
            // every later hook of the session is told to stop too
            JsonNode after = f.claude(preTool(SESSION, project, "Read", "toolu_x", "{\"file_path\":\"/etc/hostname\"}"));
            assertFalse(after.path("continue").asBoolean(true));
            List<JsonNode> ev = f.events(STORE_ID, ev2 -> ofType(ev2, "decision").stream()
                    .anyMatch(d -> d.path("data").path("kind").asText().equals("alert")));
            assertTrue(ofType(ev, "decision").stream().anyMatch(d -> d.path("data").path("kind").asText().equals("watch_stop")), ev.toString());
        }
    }

    @Test
    void aBlockBreakerRefusesTheCallsOfTheSession() throws Exception {
        Path project = project(null, "{\"watchers\": {\"retry\": {\"max\": 1, \"alert\": \"block\"}}}");
        String cmd = "{\"command\":\"make\"}";
        try (HookServerFixture f = new HookServerFixture(tmp.resolve("traces"))) {
            f.claude(preTool(SESSION, project, "Bash", "t1", cmd));
            f.claude(failure(SESSION, project, "Bash", "t1", cmd, "Exit code 2"));
            f.claude(preTool(SESSION, project, "Bash", "t2", cmd));
            f.claude(failure(SESSION, project, "Bash", "t2", cmd, "Exit code 2"));
            JsonNode third = f.claude(preTool(SESSION, project, "Bash", "t3", cmd));
            assertEquals("deny", third.path("hookSpecificOutput").path("permissionDecision").asText(), third.toString());
            assertTrue(third.toString().contains("was NOT executed"), third.toString());
            assertFalse(third.has("continue"), "block refuses calls, it does not end the session");
        }
    }

    @Test
    void aPauseBreakerHoldsTheAnswerUntilResumed() throws Exception {
        Path project = project(null, "{\"watchers\": {\"retry\": {\"max\": 1, \"alert\": \"pause\"}}}");
        String cmd = "{\"command\":\"make\"}";
        Path traces = tmp.resolve("traces");
        try (HookServerFixture f = new HookServerFixture(traces, PolicyMode.ENFORCE, Duration.ofSeconds(60))) {
            f.claude(preTool(SESSION, project, "Bash", "t1", cmd));
            f.claude(failure(SESSION, project, "Bash", "t1", cmd, "Exit code 2"));
            f.claude(preTool(SESSION, project, "Bash", "t2", cmd));
            f.claude(failure(SESSION, project, "Bash", "t2", cmd, "Exit code 2"));
            CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(() -> f.post("/hooks/claude-code",
                    preTool(SESSION, project, "Bash", "t3", cmd).toString()));
            Path marker = traces.resolve(STORE_ID).resolve(".watch-paused");
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!Files.exists(marker) && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertTrue(Files.exists(marker), "the pause is on record for agent-trace resume");
            assertFalse(held.isDone(), "the answer is held while paused");
            PauseControl.resume(TraceStore.at(traces), STORE_ID);
            HttpResponse<String> r = held.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(200, r.statusCode());
            assertEquals("{}", r.body(), "resumed: the call goes on");
        }
    }

    @Test
    void aPauseNotResumedInTimeRefusesTheCall() throws Exception {
        Path project = project(null, "{\"watchers\": {\"retry\": {\"max\": 0, \"alert\": \"pause\"}}}");
        String cmd = "{\"command\":\"make\"}";
        try (HookServerFixture f = new HookServerFixture(tmp.resolve("traces"), PolicyMode.ENFORCE, Duration.ofMillis(300))) {
            f.claude(preTool(SESSION, project, "Bash", "t1", cmd));
            f.claude(failure(SESSION, project, "Bash", "t1", cmd, "Exit code 2"));
            JsonNode r = f.claude(preTool(SESSION, project, "Bash", "t2", cmd));
            assertEquals("deny", r.path("hookSpecificOutput").path("permissionDecision").asText(), r.toString());
            assertTrue(r.toString().contains("not resumed"), r.toString());
        }
    }

    @Test
    void anAllowedWriteIsRecordedWithItsResult() throws Exception {
        Path project = project("{\"files\": {\"write\": {\"allow\": [\"src/**\"]}}}", null);
        String input = "{\"file_path\":\"" + project.resolve("src/hello.txt") + "\",\"content\":\"hi\"}";
        try (HookServerFixture f = new HookServerFixture(tmp.resolve("traces"))) {
            assertEquals("{}", f.claude(preTool(SESSION, project, "Write", "toolu_w", input)).toString());
            f.claude(postTool(SESSION, project, "Write", "toolu_w", input, "{\"type\":\"create\",\"filePath\":\"" + project.resolve("src/hello.txt") + "\"}"));
            String outside = "{\"file_path\":\"" + project.resolve("README.md") + "\",\"content\":\"x\"}";
            JsonNode denied = f.claude(preTool(SESSION, project, "Write", "toolu_x", outside));
            assertTrue(denied.toString().contains("files.write.allow"), denied.toString());
            List<JsonNode> ev = f.events(STORE_ID, has("tool_result", 1));
            JsonNode result = ofType(ev, "tool_result").get(0);
            assertTrue(result.path("data").path("response").path("filePath").asText().endsWith("hello.txt"), result.toString());
        }
    }
}
