package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Claude Code CLI (npm {@code @anthropic-ai/claude-code}, pinned in tests/npm) in
 * {@code -p} mode against a scripted model, with its hooks installed by
 * {@code agent-trace setup claude-code --project} and answered by {@code agent-trace serve}.
 */
class ClaudeCodeHooksEndToEndTest {
    static final Path CLAUDE = Peers.ROOT.resolve("tests/npm/node_modules/.bin/claude");

    @TempDir
    Path tmp;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        Peers.stopAll(started);
    }

    /** Starts serve on a free port; returns the port once it listens. */
    private int serve(Path traces, StringBuilder log) throws Exception {
        return Peers.startServe(new ProcessBuilder(Peers.cli("serve", "--port", "0", "--trace-dir", traces.toString())), log, started);
    }

    @Test
    void deniedBashNeverRunsAllowedWriteIsRecordedAndRetriesOfAFailingCommandStopTheSession() throws Exception {
        if (!Files.isExecutable(CLAUDE)) {
            throw new IllegalStateException(CLAUDE + " is missing; the build installs it (tests/npm, npm ci)");
        }
        Path project = Files.createDirectories(tmp.resolve("project"));
        Files.createDirectories(project.resolve("src"));
        Files.writeString(project.resolve(".agent-scope.json"), "{\"commands\": {\"deny\": [\"curl\"]}}\n");
        Files.writeString(project.resolve(".agent-watch.json"), "{\"watchers\": {\"retry\": {\"max\": 2, \"alert\": \"kill\"}}}\n");
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path traces = tmp.resolve("traces");
        Path marker = project.resolve("marker-denied.txt");
        String failing = "ls /agent-trace-no-such-directory";

        StringBuilder serveLog = new StringBuilder();
        int port = serve(traces, serveLog);
        Path bin = Peers.launcher(tmp);
        Process setup = new ProcessBuilder(Peers.cli("setup", "claude-code", "--project", "--dir", project.toString(), "--port",
                Integer.toString(port), "--command", bin.toString(), "--trace-dir", traces.toString())).redirectErrorStream(true).start();
        String setupOut = new String(setup.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, setup.waitFor(), setupOut);
        assertTrue(Files.isRegularFile(project.resolve(".claude/settings.json")), setupOut);

        List<ScriptedModel.Turn> script = List.of(
                ScriptedModel.Turn.call("Bash", "toolu_deny", Peers.object("command", "echo ran > " + marker + " && curl -s https://example.com",
                        "description", "fetch the page")),
                ScriptedModel.Turn.call("Write", "toolu_write", Peers.object("file_path", project.resolve("src/hello.txt").toString(),
                        "content", "hello from the model\n")),
                ScriptedModel.Turn.call("Bash", "toolu_fail1", Peers.object("command", failing, "description", "look")),
                ScriptedModel.Turn.call("Bash", "toolu_fail2", Peers.object("command", failing, "description", "look")),
                ScriptedModel.Turn.call("Bash", "toolu_fail3", Peers.object("command", failing, "description", "look")),
                ScriptedModel.Turn.call("Bash", "toolu_fail4", Peers.object("command", failing, "description", "look")),
                ScriptedModel.Turn.text("All done."));
        try (ScriptedModel model = new ScriptedModel(script)) {
            ProcessBuilder pb = new ProcessBuilder(CLAUDE.toString(), "-p", "Tidy up the project", "--output-format", "json",
                    "--allowedTools", "Bash,Write");
            pb.directory(project.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("ANTHROPIC") || k.startsWith("CLAUDE") || k.startsWith("OTEL"));
            pb.environment().put("HOME", home.toString());
            pb.environment().put("ANTHROPIC_BASE_URL", model.baseUrl());
            pb.environment().put("ANTHROPIC_API_KEY", "sk-test");
            pb.environment().put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
            pb.environment().put("DISABLE_TELEMETRY", "1");
            pb.environment().put("DISABLE_AUTOUPDATER", "1");
            pb.redirectError(tmp.resolve("claude.err").toFile());
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process claude = pb.start();
            started.add(claude);
            String out = new String(claude.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(claude.waitFor(180, TimeUnit.SECONDS), "claude did not finish");
            String diagnostics = "claude stdout: " + out + "\nclaude stderr: " + Files.readString(tmp.resolve("claude.err")) + "\nserve: " + serveLog;
            JsonNode result = Peers.JSON.readTree(out.substring(out.indexOf('{')));

            // 1. the denied Bash never ran, and Claude reports it as denied, with agent-trace's reason given to the model
            assertFalse(Files.exists(marker), "the denied command ran: " + diagnostics);
            boolean listed = false;
            for (JsonNode d : result.path("permission_denials")) {
                listed |= "toolu_deny".equals(d.path("tool_use_id").asText()) && "Bash".equals(d.path("tool_name").asText());
            }
            assertTrue(listed, "the denied Bash is in permission_denials: " + diagnostics);
            JsonNode denial = model.toolResult("toolu_deny");
            assertNotNull(denial, diagnostics);
            String reason = denial.path("content").toString();
            assertTrue(reason.contains("commands.deny") && reason.contains("curl") && reason.contains("NOT"), "the model was told why: " + reason);

            // 2. the allowed Write ran and is recorded with its result
            assertEquals("hello from the model\n", Files.readString(project.resolve("src/hello.txt")), diagnostics);
            Path session = Peers.sessionWith(traces, "tool_call");
            List<JsonNode> events = Peers.events(session);
            JsonNode write = events.stream().filter(e -> "tool_call".equals(e.path("event_type").asText())
                    && "toolu_write".equals(e.path("data").path("request_id").asText())).findFirst().orElseThrow(() -> new AssertionError(diagnostics));
            JsonNode writeResult = events.stream().filter(e -> "tool_result".equals(e.path("event_type").asText())
                    && write.path("event_id").asText().equals(e.path("parent_id").asText())).findFirst()
                    .orElseThrow(() -> new AssertionError("no result for the Write: " + events));
            assertTrue(writeResult.path("data").path("response").toString().contains("hello.txt"), writeResult.toString());

            // 3. the failing command ran three times; the third retry tripped the breaker, did not run, and stopped the session
            long failures = events.stream().filter(e -> "error".equals(e.path("event_type").asText())).count();
            assertEquals(3, failures, "three failed runs before the breaker: " + events);
            assertTrue(events.stream().anyMatch(e -> "watch_stop".equals(e.path("data").path("kind").asText())
                    && "toolu_fail4".equals(e.path("data").path("tool_use_id").asText())), events.toString());
            assertEquals("hook_stopped", result.path("terminal_reason").asText(), "Claude Code says a hook stopped it: " + diagnostics);
            int mainLoopRequests = model.requests.size();
            assertTrue(mainLoopRequests <= 6, "the agent stopped instead of going on to the closing turn (" + mainLoopRequests
                    + " model requests): " + diagnostics);
            assertEquals(null, model.toolResult("toolu_fail4") == null ? null : "asked again",
                    "no model turn after the stop: " + diagnostics);

            // 4. agent-trace import of the transcript Claude Code wrote tells the same story as the hooks did
            Path imported = tmp.resolve("imported");
            List<String> cmd = new ArrayList<>(Peers.cli("import", "--claude-code", "--project", project.toString(), "--trace-dir", imported.toString()));
            cmd.add(1, "-Duser.home=" + home);
            ProcessBuilder ib = new ProcessBuilder(cmd).redirectErrorStream(true);
            ib.environment().remove("CLAUDE_CONFIG_DIR");
            Process imp = ib.start();
            String importOut = new String(imp.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, imp.waitFor(), importOut);
            assertTrue(importOut.contains("1 imported"), importOut);
            List<JsonNode> fromTranscript = Peers.events(Peers.sessionWith(imported, "tool_call"));
            assertEquals(toolUseIds(events), toolUseIds(fromTranscript), "the same tool calls, by tool_use_id, from the hooks and from the transcript");
            JsonNode importedWrite = fromTranscript.stream().filter(e -> "tool_call".equals(e.path("event_type").asText())
                    && "toolu_write".equals(e.path("data").path("tool_use_id").asText())).findFirst().orElseThrow();
            assertTrue(fromTranscript.stream().anyMatch(e -> "tool_result".equals(e.path("event_type").asText())
                    && importedWrite.path("event_id").asText().equals(e.path("parent_id").asText())), "the Write's result is linked to it: " + fromTranscript);
            Process again = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String againOut = new String(again.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, again.waitFor(), againOut);
            assertTrue(againOut.contains("0 imported") && againOut.contains("1 unchanged"), "a second import adds nothing: " + againOut);
        }
    }

    /** The tool_use_ids of the tool calls of a session, in order. */
    private static List<String> toolUseIds(List<JsonNode> events) {
        List<String> ids = new ArrayList<>();
        for (JsonNode e : events) {
            if ("tool_call".equals(e.path("event_type").asText())) {
                JsonNode d = e.path("data");
                ids.add(d.hasNonNull("tool_use_id") ? d.path("tool_use_id").asText() : d.path("request_id").asText());
            }
        }
        return ids;
    }
}
