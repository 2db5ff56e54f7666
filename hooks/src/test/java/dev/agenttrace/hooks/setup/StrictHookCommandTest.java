package dev.agenttrace.hooks.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.hooks.event.Agent;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PreToolUse command {@code setup --strict} installs, run by sh as Claude Code runs it, when
 * agent-trace itself cannot answer (its command is gone or crashes): exit 2 with the reason on
 * stderr, which Claude Code takes as a refusal; without --strict the hook is an HTTP hook, and an
 * agent whose HTTP hook meets a closed port runs the tool (fails open).
 */
class StrictHookCommandTest {
    @TempDir
    Path tmp;

    @Test
    void theStrictCommandRefusesWhenAgentTraceCannotAnswerAndTheLenientOneIsNotACommand() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        URI serve = URI.create("http://127.0.0.1:" + closedPort + "/");
        AgentHooks.Options strict = new AgentHooks.Options(tmp.resolve("no-such-agent-trace").toString(), serve, tmp.resolve("traces"), true);
        String cmd = AgentHooks.hookCommand(strict, Agent.CLAUDE_CODE, "PreToolUse", false);
        Process p = new ProcessBuilder("sh", "-c", cmd).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        p.getOutputStream().write("{\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\"}".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), "exit 2 is Claude Code's blocking error: the call is refused; stderr: " + stderr);
        assertTrue(stderr.contains("agent-trace did not answer: the call is refused (setup --strict)"), stderr);
        assertEquals("", stdout);

        // the other events never refuse: no --strict, no fallback
        String post = AgentHooks.hookCommand(strict, Agent.CLAUDE_CODE, "PostToolUse", false);
        assertTrue(!post.contains("--strict") && !post.contains("exit 2"), post);
        AgentHooks.Options lenient = new AgentHooks.Options("agent-trace", serve, tmp.resolve("traces"), false);
        assertTrue(!AgentHooks.hookCommand(lenient, Agent.CLAUDE_CODE, "PreToolUse", false).contains("exit 2"));
    }
}
