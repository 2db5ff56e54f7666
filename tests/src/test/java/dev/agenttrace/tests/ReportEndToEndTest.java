package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.report.browser.Chromium;
import dev.agenttrace.report.browser.Page;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session recorded through the firewall with the real filesystem server, then {@code agent-trace
 * report} as a user runs it, opened offline in headless Chromium: the blocked calls carry their rule.
 */
@Timeout(180)
class ReportEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void theReportOfARecordedSessionShowsWhatTheFirewallBlocked() throws Exception {
        Path project = Files.createDirectories(dir.resolve("project"));
        Files.createDirectories(project.resolve("src"));
        Files.writeString(project.resolve("src/a.txt"), "alpha");
        Files.writeString(project.resolve(".env"), "API_KEY=secret");
        Path policy = dir.resolve("policy.json");
        Files.writeString(policy, "{\"files\":{\"read\":{\"deny\":[\".env\"]},\"write\":{\"allow\":[\"src/**\"]}}}");
        Path traces = dir.resolve("traces");
        List<String> cmd = Peers.proxy(traces, List.of("--policy", policy.toString(), "--root", project.toString()),
                List.of("node", Peers.ROOT.resolve("tests/npm/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js").toString(),
                        project.toString()));
        try (McpSyncClient c = FirewallEndToEndTest.client(cmd)) {
            c.initialize();
            FirewallEndToEndTest.call(c, "read_text_file", Map.of("path", project.resolve("src/a.txt").toString()));
            CallToolResult env = FirewallEndToEndTest.call(c, "read_text_file", Map.of("path", project.resolve(".env").toString()));
            assertTrue(env.isError());
            CallToolResult missing = FirewallEndToEndTest.call(c, "read_text_file", Map.of("path", project.resolve("src/none.txt").toString()));
            assertTrue(missing.isError(), "the server's own isError");
        }
        Path session = Peers.onlySession(traces);
        assertTrue(Peers.gone(Peers.meta(session).at("/attribution/proxy_pid").asLong(), 10_000));
        Path html = dir.resolve("report.html");
        Process p = new ProcessBuilder(Peers.cli("report", "latest", "--trace-dir", traces.toString(), "-o", html.toString()))
                .redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), said);
        try (Chromium browser = Chromium.launch(); Page page = browser.newPage().offline()) {
            page.open(html.toUri().toString());
            page.waitFor("document.body.dataset.ready");
            assertEquals("1", page.eval("document.body.dataset.ready").asText());
            assertEquals(3, page.eval("document.querySelectorAll('#space .row').length").asInt());
            assertEquals("BLOCKED files.read.deny \".env\"", page.eval("document.querySelector('#space .badge.b-block').textContent").asText());
            assertEquals(2, page.eval("document.querySelectorAll('#space .badge.b-err').length").asInt(), "the blocked call and the server's isError");
            assertEquals(1, page.eval("document.querySelectorAll('#axis .axis-mark.mark-policy').length").asInt());
            assertTrue(page.eval("document.getElementById('decision-list').textContent").asText().contains("denied by files.read.deny"));
            assertTrue(!page.eval("document.body.innerText").asText().contains("API_KEY=secret"), "the secret never reached the server, nor the report");
            page.screenshot(Path.of("target", "screenshots", "report-recorded-firewall.png"));
            assertEquals(List.of(), page.errors());
            for (String url : page.requests()) {
                assertEquals(html.toUri().toString(), url);
            }
        }
    }
}
