package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
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
 * The real Gemini CLI (npm {@code @google/gemini-cli}, pinned in tests/npm) in {@code -p} mode
 * against a scripted model ({@code GOOGLE_GEMINI_BASE_URL} with API-key auth), with its hooks
 * installed by {@code agent-trace setup gemini --project}: command hooks, {@code agent-trace hook
 * gemini <event>}, handing each event to {@code agent-trace serve}.
 */
class GeminiCliHooksEndToEndTest {
    static final Path GEMINI = Peers.ROOT.resolve("tests/npm/node_modules/.bin/gemini");

    @TempDir
    Path tmp;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        Peers.stopAll(started);
    }

    @Test
    void deniedShellCommandNeverRunsAndTheModelIsToldWhyAllowedWriteIsRecordedWithItsResult() throws Exception {
        if (!Files.isExecutable(GEMINI)) {
            throw new IllegalStateException(GEMINI + " is missing; the build installs it (tests/npm, npm ci)");
        }
        Path project = Files.createDirectories(tmp.resolve("project")).toRealPath();
        Files.createDirectories(project.resolve("src"));
        Files.writeString(project.resolve(".agent-scope.json"), "{\"commands\": {\"deny\": [\"curl\"]}}\n");
        Path home = Files.createDirectories(tmp.resolve("home"));
        // the user's own Gemini settings: API-key auth (the base URL alone would select gateway auth,
        // which -p mode refuses), no update checks or usage statistics; and the project trusted,
        // as the CLI asks on first use (an untrusted folder gets no --yolo and no project settings)
        Files.createDirectories(home.resolve(".gemini"));
        Files.writeString(home.resolve(".gemini/settings.json"), """
                {"security": {"auth": {"selectedType": "gemini-api-key"}},
                 "general": {"disableAutoUpdate": true, "disableUpdateNag": true},
                 "privacy": {"usageStatisticsEnabled": false}, "telemetry": {"enabled": false}}
                """);
        ObjectNode trusted = Peers.JSON.createObjectNode().put(project.toString(), "TRUST_FOLDER");
        Files.writeString(home.resolve(".gemini/trustedFolders.json"), trusted.toString());
        Path traces = tmp.resolve("traces");
        Path marker = project.resolve("marker-denied.txt");
        Path written = project.resolve("src/hello.txt");

        StringBuilder serveLog = new StringBuilder();
        int port = Peers.startServe(new ProcessBuilder(Peers.cli("serve", "--port", "0", "--trace-dir", traces.toString())), serveLog, started);
        Path bin = Peers.launcher(tmp);
        Process setup = new ProcessBuilder(Peers.cli("setup", "gemini", "--project", "--dir", project.toString(), "--port",
                Integer.toString(port), "--command", bin.toString(), "--trace-dir", traces.toString())).redirectErrorStream(true).start();
        String setupOut = new String(setup.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, setup.waitFor(), setupOut);
        assertTrue(Files.isRegularFile(project.resolve(".gemini/settings.json")), setupOut);

        List<ScriptedGemini.Turn> script = List.of(
                ScriptedGemini.Turn.call("run_shell_command", Peers.object("command", "echo ran > " + marker + " && curl -s https://example.com",
                        "description", "fetch the page")),
                ScriptedGemini.Turn.call("write_file", Peers.object("file_path", written.toString(), "content", "hello from the model\n")),
                ScriptedGemini.Turn.text("All done."));
        try (ScriptedGemini model = new ScriptedGemini(script)) {
            ProcessBuilder pb = new ProcessBuilder(GEMINI.toString(), "-p", "Tidy up the project", "--model", "gemini-2.5-flash",
                    "--yolo", "--output-format", "json");
            pb.directory(project.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("GEMINI") || k.startsWith("GOOGLE") || k.startsWith("OTEL")
                    || k.equals("CLOUD_SHELL"));
            pb.environment().put("HOME", home.toString());
            pb.environment().put("GOOGLE_GEMINI_BASE_URL", model.baseUrl());
            pb.environment().put("GEMINI_API_KEY", "test-key");
            pb.environment().put("NO_COLOR", "1");
            pb.redirectError(tmp.resolve("gemini.err").toFile());
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            Process gemini = pb.start();
            started.add(gemini);
            String out = new String(gemini.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(gemini.waitFor(180, TimeUnit.SECONDS), "gemini did not finish");
            String diagnostics = "gemini exit " + gemini.exitValue() + "\ngemini stdout: " + out + "\ngemini stderr: "
                    + Files.readString(tmp.resolve("gemini.err")) + "\nmodel saw: " + model.seen + "\nserve: " + serveLog;
            assertEquals(0, gemini.exitValue(), diagnostics);
            JsonNode result = Peers.JSON.readTree(out.substring(out.indexOf('{')));
            assertEquals("All done.", result.path("response").asText(), "the script ran to its end: " + diagnostics);

            // 1. the denied command never ran, and the CLI gave agent-trace's reason back to the model as the tool's error
            assertFalse(Files.exists(marker), "the denied command ran: " + diagnostics);
            List<JsonNode> shell = model.functionResponses("run_shell_command");
            assertEquals(1, shell.size(), diagnostics);
            String error = shell.get(0).path("response").path("error").asText();
            assertTrue(error.contains("commands.deny") && error.contains("curl") && error.contains("NOT"), "the model was told why: " + shell);
            assertEquals(1, result.path("stats").path("tools").path("byName").path("run_shell_command").path("fail").asInt(), diagnostics);

            // 2. the allowed write ran, its result went to the model, and both are in the trace, linked
            assertEquals("hello from the model\n", Files.readString(written), diagnostics);
            assertEquals(1, model.functionResponses("write_file").size(), diagnostics);
            Path session = Peers.sessionWith(traces, "tool_call");
            JsonNode meta = Peers.JSON.readTree(session.resolve("meta.json").toFile());
            assertEquals(result.path("session_id").asText(), meta.path("attribution").path("agent_session_id").asText(),
                    "the trace session is the Gemini session: " + meta);
            List<JsonNode> events = Peers.events(session);
            assertTrue(events.stream().anyMatch(e -> "session_start".equals(e.path("event_type").asText())
                    && "gemini-hooks".equals(e.path("data").path("mode").asText())), events.toString());
            JsonNode denied = events.stream().filter(e -> "tool_call".equals(e.path("event_type").asText())
                    && e.path("data").path("arguments").path("command").asText().contains(marker.toString())).findFirst()
                    .orElseThrow(() -> new AssertionError("no call for the denied command: " + events));
            assertTrue(events.stream().anyMatch(e -> "policy_violation".equals(e.path("data").path("kind").asText())
                    && denied.path("event_id").asText().equals(e.path("parent_id").asText())), "the refusal is recorded: " + events);
            JsonNode write = events.stream().filter(e -> "tool_call".equals(e.path("event_type").asText())
                    && written.toString().equals(e.path("data").path("arguments").path("file_path").asText())).findFirst()
                    .orElseThrow(() -> new AssertionError("no call for the write: " + events));
            assertEquals("hello from the model\n", write.path("data").path("arguments").path("content").asText(),
                    "the call is recorded with what it wrote: " + write);
            JsonNode writeResult = events.stream().filter(e -> "tool_result".equals(e.path("event_type").asText())
                    && write.path("event_id").asText().equals(e.path("parent_id").asText())).findFirst()
                    .orElseThrow(() -> new AssertionError("no result for the write: " + events));
            assertEquals("write_file", write.path("data").path("tool_name").asText(),
                    "the call is recorded under the agent's own tool name, as its result is: " + write);
            assertEquals("write_file", writeResult.path("data").path("tool_name").asText(), writeResult.toString());
            assertTrue(writeResult.path("data").path("result").asText().contains("hello.txt"), writeResult.toString());
            assertTrue(events.stream().anyMatch(e -> "session_end".equals(e.path("event_type").asText())), events.toString());

            // 3. no compaction is recorded: the CLI compacted nothing (its PreCompress fires before every model request)
            assertTrue(events.stream().noneMatch(e -> "compact".equals(e.path("data").path("kind").asText())),
                    "a compaction that never happened is in the trace: " + events);
        }
    }
}
