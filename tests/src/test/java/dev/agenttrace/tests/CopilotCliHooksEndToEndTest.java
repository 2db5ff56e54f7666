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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real GitHub Copilot CLI (npm {@code @github/copilot}, pinned in tests/npm; a native binary in a
 * per-platform optional package) in {@code -p} mode against a scripted chat completions model (its
 * documented custom provider: {@code COPILOT_PROVIDER_BASE_URL} and {@code COPILOT_MODEL}, which need
 * no GitHub sign-in), with its hooks installed by {@code agent-trace setup copilot --project} and
 * answered by {@code agent-trace hook copilot <event>} through {@code agent-trace serve}. Copilot's
 * camelCase hooks send no call id: the result is paired with its call by the agent's tool name and
 * arguments.
 */
class CopilotCliHooksEndToEndTest {
    static final Path NPM = Peers.ROOT.resolve("tests/npm/node_modules");
    static final Path COPILOT = NPM.resolve(".bin/copilot");

    @TempDir
    Path tmp;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        Peers.stopAll(started);
    }

    @Test
    void deniedShellCommandNeverRunsItsReasonReachesTheModelAndAnAllowedOneIsRecordedWithItsResult() throws Exception {
        if (!Files.isExecutable(COPILOT)) {
            throw new IllegalStateException(COPILOT + " is missing; the build installs it (tests/npm, npm ci)");
        }
        Assumptions.assumeTrue(Files.isDirectory(NPM.resolve("@github/copilot-" + ("aarch64".equals(System.getProperty("os.arch")) ? "linux-arm64" : "linux-x64"))),
                "@github/copilot ships no binary for this platform");
        Path project = Files.createDirectories(tmp.resolve("project"));
        Files.writeString(project.resolve(".agent-scope.json"), "{\"commands\": {\"deny\": [\"curl\"]}}\n");
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path traces = tmp.resolve("traces");
        Path marker = project.resolve("marker-denied.txt");
        Path allowed = project.resolve("allowed.txt");

        StringBuilder serveLog = new StringBuilder();
        int port = Peers.startServe(new ProcessBuilder(Peers.cli("serve", "--port", "0", "--trace-dir", traces.toString())), serveLog, started);
        Path bin = Peers.launcher(tmp);
        Process setup = new ProcessBuilder(Peers.cli("setup", "copilot", "--project", "--dir", project.toString(), "--port",
                Integer.toString(port), "--command", bin.toString(), "--trace-dir", traces.toString())).redirectErrorStream(true).start();
        String setupOut = new String(setup.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, setup.waitFor(), setupOut);
        assertTrue(Files.isRegularFile(project.resolve(".github/hooks/agent-trace.json")), setupOut);

        ScriptedChatModel.Turn denied = ScriptedChatModel.Turn.call("bash", "call_deny",
                Peers.object("command", "echo ran > " + marker + " && curl -s https://example.com", "description", "fetch"));
        ScriptedChatModel.Turn ok = ScriptedChatModel.Turn.call("bash", "call_ok",
                Peers.object("command", "echo allowed > " + allowed + " && echo done-ok", "description", "write"));
        try (ScriptedChatModel model = new ScriptedChatModel(List.of(denied, ok, ScriptedChatModel.Turn.text("All done.")))) {
            ProcessBuilder pb = new ProcessBuilder(COPILOT.toString(), "-p", "Tidy up the project", "--allow-all-tools", "--trust-folder",
                    "--no-auto-update", "--disable-builtin-mcps", "--no-ask-user", "--no-color");
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("COPILOT") || k.startsWith("GH_") || k.startsWith("GITHUB") || k.startsWith("OTEL"));
            env.put("HOME", home.toString());
            env.put("COPILOT_PROVIDER_BASE_URL", model.baseUrl());
            env.put("COPILOT_PROVIDER_API_KEY", "sk-test");
            env.put("COPILOT_MODEL", "gpt-4.1");
            pb.directory(project.toFile());
            pb.redirectError(tmp.resolve("copilot.err").toFile());
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process copilot = pb.start();
            started.add(copilot);
            String out = new String(copilot.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(copilot.waitFor(120, TimeUnit.SECONDS), "copilot did not finish");
            String diagnostics = "copilot stdout: " + out + "\ncopilot stderr: " + Files.readString(tmp.resolve("copilot.err")) + "\nserve: " + serveLog;
            assertEquals(0, copilot.exitValue(), diagnostics);
            assertTrue(model.toolNames().contains("bash"), "the shell tool the script calls: " + model.toolNames());

            // 1. the denied command never ran, and agent-trace's reason is what the model got back for it
            assertFalse(Files.exists(marker), "the denied command ran: " + diagnostics);
            String denial = model.toolOutput("call_deny");
            assertNotNull(denial, diagnostics);
            assertTrue(denial.contains("curl") && denial.contains("NOT"), "the model was told why: " + denial);

            // 2. the allowed command ran and is recorded under Copilot's own tool name, its result paired with it
            assertEquals("allowed\n", Files.readString(allowed), diagnostics);
            List<JsonNode> events = Peers.events(Peers.sessionWith(traces, "tool_result"));
            assertTrue(events.stream().anyMatch(e -> "session_start".equals(e.path("event_type").asText())
                    && "copilot-hooks".equals(e.path("data").path("mode").asText())), events.toString());
            JsonNode call = events.stream().filter(e -> "tool_call".equals(e.path("event_type").asText())
                    && e.path("data").path("arguments").path("command").asText().contains(allowed.toString())).findFirst()
                    .orElseThrow(() -> new AssertionError("no call for the allowed command: " + events));
            assertEquals("bash", call.path("data").path("tool_name").asText(), call.toString());
            JsonNode result = events.stream().filter(e -> "tool_result".equals(e.path("event_type").asText())
                    && call.path("event_id").asText().equals(e.path("parent_id").asText())).findFirst()
                    .orElseThrow(() -> new AssertionError("no result paired with the allowed command: " + events));
            assertEquals("bash", result.path("data").path("tool_name").asText(), "the result under the call's name: " + result);
            JsonNode deniedCall = events.stream().filter(e -> "tool_call".equals(e.path("event_type").asText())
                    && e.path("data").path("arguments").path("command").asText().contains(marker.toString())).findFirst()
                    .orElseThrow(() -> new AssertionError("no call for the denied command: " + events));
            assertTrue(events.stream().anyMatch(e -> "policy_violation".equals(e.path("data").path("kind").asText())
                    && deniedCall.path("event_id").asText().equals(e.path("parent_id").asText())), "the refusal is recorded: " + events);
        }
    }
}
