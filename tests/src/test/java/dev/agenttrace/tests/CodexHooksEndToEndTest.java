package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real OpenAI Codex CLI (npm {@code @openai/codex}, pinned in tests/npm; a native binary in a
 * per-platform optional package) in {@code codex exec} mode against a scripted Responses API model,
 * with its hooks installed by {@code agent-trace setup codex --project} and answered by
 * {@code agent-trace hook codex <event>} through {@code agent-trace serve}.
 *
 * <p>Codex runs a hook only once the user has trusted it (the hash Codex computes for it, stored
 * under {@code [hooks.state."<key>"]} in {@code $CODEX_HOME/config.toml}; a user does it with
 * {@code /hooks}), and reads {@code .codex/} of a trusted project only. The test trusts exactly the
 * hooks setup wrote, with the hashes Codex itself reports ({@code codex app-server}, {@code hooks/list}).
 */
class CodexHooksEndToEndTest {
    static final Path NPM = Peers.ROOT.resolve("tests/npm/node_modules");
    static final Path CODEX = NPM.resolve(".bin/codex");

    @TempDir
    Path tmp;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        Peers.stopAll(started);
    }

    /** Whether npm installed a Codex binary for this platform (it ships them as optional packages). */
    private static boolean platformBinaryInstalled() throws IOException {
        Path openai = NPM.resolve("@openai");
        if (!Files.isDirectory(openai)) {
            return false;
        }
        try (Stream<Path> s = Files.find(openai, 5, (p, a) -> a.isRegularFile() && p.getFileName().toString().startsWith("codex")
                && p.getParent().getFileName().toString().equals("bin") && p.toString().contains("vendor"))) {
            return s.findAny().isPresent();
        }
    }

    private ProcessBuilder codex(Path codexHome, Path home, String... args) {
        List<String> cmd = new ArrayList<>(List.of(CODEX.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("OPENAI") || k.startsWith("CODEX") || k.startsWith("OTEL"));
        env.put("HOME", home.toString());
        env.put("CODEX_HOME", codexHome.toString());
        env.put("AGENT_TRACE_TEST_MODEL_KEY", "sk-test");
        return pb;
    }

    /** What {@code codex app-server} reports for the hooks of a directory: {@code hooks/list}. */
    private JsonNode listHooks(Path codexHome, Path home, Path project) throws Exception {
        ProcessBuilder pb = codex(codexHome, home, "app-server");
        pb.redirectError(tmp.resolve("app-server.err").toFile());
        Process p = pb.start();
        started.add(p);
        try (OutputStream in = p.getOutputStream();
             BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            ObjectNode list = Peers.JSON.createObjectNode();
            list.put("jsonrpc", "2.0");
            list.put("id", 2);
            list.put("method", "hooks/list");
            list.putObject("params").putArray("cwds").add(project.toString());
            String requests = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"clientInfo\":{\"name\":\"agent-trace-test\",\"version\":\"1\"}}}\n"
                    + "{\"jsonrpc\":\"2.0\",\"method\":\"initialized\"}\n" + list + "\n";
            in.write(requests.getBytes(StandardCharsets.UTF_8));
            in.flush();
            for (String line; (line = out.readLine()) != null; ) {
                JsonNode msg = Peers.JSON.readTree(line);
                if (msg.path("id").asInt() == 2) {
                    assertFalse(msg.has("error"), line);
                    return msg.path("result").path("data").get(0);
                }
            }
        }
        throw new AssertionError("codex app-server gave no hooks/list answer: " + Files.readString(tmp.resolve("app-server.err")));
    }

    @Test
    void deniedShellCommandNeverRunsItsReasonReachesTheModelAndAnAllowedOneIsRecordedWithItsResult() throws Exception {
        if (!Files.isExecutable(CODEX)) {
            throw new IllegalStateException(CODEX + " is missing; the build installs it (tests/npm, npm ci)");
        }
        Assumptions.assumeTrue(platformBinaryInstalled(), "@openai/codex ships no binary for this platform");
        Path project = Files.createDirectories(tmp.resolve("project"));
        Files.writeString(project.resolve(".agent-scope.json"), "{\"commands\": {\"deny\": [\"curl\"]}}\n");
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path codexHome = Files.createDirectories(tmp.resolve("codex-home"));
        Path traces = tmp.resolve("traces");
        Path marker = project.resolve("marker-denied.txt");
        Path allowed = project.resolve("allowed.txt");

        StringBuilder serveLog = new StringBuilder();
        int port = Peers.startServe(new ProcessBuilder(Peers.cli("serve", "--port", "0", "--trace-dir", traces.toString())), serveLog, started);
        Path bin = Peers.launcher(tmp);
        Process setup = new ProcessBuilder(Peers.cli("setup", "codex", "--project", "--dir", project.toString(), "--port",
                Integer.toString(port), "--command", bin.toString(), "--trace-dir", traces.toString())).redirectErrorStream(true).start();
        String setupOut = new String(setup.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, setup.waitFor(), setupOut);
        Path hooksJson = project.resolve(".codex/hooks.json");
        assertTrue(Files.isRegularFile(hooksJson), setupOut);
        assertTrue(setupOut.contains("/hooks") && setupOut.contains("trust"), "setup says Codex runs the hooks only once trusted: " + setupOut);

        ScriptedResponsesModel.Turn denied = ScriptedResponsesModel.Turn.call("exec_command", "call_deny",
                Peers.object("cmd", "echo ran > " + marker + " && curl -s https://example.com"));
        ScriptedResponsesModel.Turn ok = ScriptedResponsesModel.Turn.call("exec_command", "call_ok",
                Peers.object("cmd", "echo allowed > " + allowed + " && echo done-ok"));
        try (ScriptedResponsesModel model = new ScriptedResponsesModel(List.of(denied, ok, ScriptedResponsesModel.Turn.text("All done.")))) {
            Files.writeString(codexHome.resolve("config.toml"), String.join("\n",
                    "model = \"gpt-test\"",
                    "model_provider = \"scripted\"",
                    "",
                    "[model_providers.scripted]",
                    "name = \"Scripted\"",
                    "base_url = \"" + model.baseUrl() + "\"",
                    "env_key = \"AGENT_TRACE_TEST_MODEL_KEY\"",
                    "wire_api = \"responses\"",
                    "",
                    "[projects." + Peers.JSON.writeValueAsString(project.toString()) + "]",
                    "trust_level = \"trusted\"",
                    ""));

            // Codex sees every hook setup wrote, and runs none of them until the user trusts it
            JsonNode listed = listHooks(codexHome, home, project);
            List<JsonNode> ours = new ArrayList<>();
            for (JsonNode h : listed.path("hooks")) {
                if (hooksJson.toString().equals(h.path("sourcePath").asText())) {
                    ours.add(h);
                }
            }
            assertTrue(ours.stream().anyMatch(h -> "preToolUse".equals(h.path("eventName").asText())), listed.toString());
            assertTrue(ours.stream().anyMatch(h -> "postToolUse".equals(h.path("eventName").asText())), listed.toString());
            assertTrue(ours.stream().allMatch(h -> "untrusted".equals(h.path("trustStatus").asText())), listed.toString());
            assertEquals(0, listed.path("errors").size(), listed.toString());
            assertEquals(0, listed.path("warnings").size(), "Codex takes the hooks as written (no clamped timeout): " + listed);
            StringBuilder trust = new StringBuilder();
            for (JsonNode h : ours) {
                trust.append("\n[hooks.state.").append(Peers.JSON.writeValueAsString(h.path("key").asText())).append("]\n")
                        .append("trusted_hash = ").append(Peers.JSON.writeValueAsString(h.path("currentHash").asText())).append('\n');
            }
            Files.writeString(codexHome.resolve("config.toml"), trust, StandardOpenOption.APPEND);

            ProcessBuilder pb = codex(codexHome, home, "exec", "--json", "--skip-git-repo-check",
                    "--dangerously-bypass-approvals-and-sandbox", "Tidy up the project");
            pb.directory(project.toFile());
            pb.redirectError(tmp.resolve("codex.err").toFile());
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process codex = pb.start();
            started.add(codex);
            String out = new String(codex.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(codex.waitFor(120, TimeUnit.SECONDS), "codex did not finish");
            String diagnostics = "codex stdout: " + out + "\ncodex stderr: " + Files.readString(tmp.resolve("codex.err")) + "\nserve: " + serveLog;
            assertEquals(0, codex.exitValue(), diagnostics);
            assertTrue(model.toolNames().contains("exec_command"), "the shell tool the script calls: " + model.toolNames());

            // 1. the denied command never ran, and agent-trace's reason is what the model got back for it
            assertFalse(Files.exists(marker), "the denied command ran: " + diagnostics);
            String denial = model.toolOutput("call_deny");
            assertNotNull(denial, diagnostics);
            assertTrue(denial.contains("commands.deny") && denial.contains("curl") && denial.contains("NOT"), "the model was told why: " + denial);

            // 2. the allowed command ran and is recorded, as the shell tool Codex hooks name Bash, with its result
            assertEquals("allowed\n", Files.readString(allowed), diagnostics);
            assertTrue(model.toolOutput("call_ok").contains("done-ok"), diagnostics);
            List<JsonNode> events = Peers.events(Peers.sessionWith(traces, "tool_call"));
            assertTrue(events.stream().anyMatch(e -> "session_start".equals(e.path("event_type").asText())
                    && "codex-hooks".equals(e.path("data").path("mode").asText())), events.toString());
            JsonNode call = events.stream().filter(e -> "tool_call".equals(e.path("event_type").asText())
                    && "call_ok".equals(e.path("data").path("request_id").asText())).findFirst().orElseThrow(() -> new AssertionError(diagnostics));
            assertEquals("Bash", call.path("data").path("tool_name").asText(), call.toString());
            JsonNode result = events.stream().filter(e -> "tool_result".equals(e.path("event_type").asText())
                    && call.path("event_id").asText().equals(e.path("parent_id").asText())).findFirst()
                    .orElseThrow(() -> new AssertionError("no result for the allowed command: " + events));
            assertTrue(result.path("data").path("result").asText().contains("done-ok"), result.toString());
            assertTrue(events.stream().anyMatch(e -> "decision".equals(e.path("event_type").asText())
                    && "call_deny".equals(e.path("data").path("request_id").asText()) && "block".equals(e.path("data").path("choice").asText())),
                    "the refusal is recorded: " + events);
        }
    }
}
