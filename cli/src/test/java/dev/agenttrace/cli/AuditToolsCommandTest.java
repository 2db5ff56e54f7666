package dev.agenttrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.cli.CliTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agent-trace audit-tools} over fixture repositories with real .mcp.json files. */
class AuditToolsCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aWrappedAndAnUnwrappedServerAreToldApartAndTheRunFails(@TempDir Path repo) throws Exception {
        Files.writeString(repo.resolve(".mcp.json"), """
                {"mcpServers": {
                  "fs": {"command": "/usr/local/bin/agent-trace", "args": ["record", "--policy", "p.json", "--", "npx", "fs"]},
                  "shadowed": {"command": "agent-trace", "args": ["record", "--policy-mode", "shadow", "--", "x"]},
                  "raw": {"command": "npx", "args": ["-y", "some-server"]},
                  "weird": {"command": 42}}}
                """);
        Result r = CliTest.run("audit-tools", "--home", repo.resolve("no-home").toString(), "--repo", repo.toString(), "--json");
        assertEquals(3, r.code(), r.err());
        JsonNode servers = JSON.readTree(r.out()).path("servers");
        assertEquals(4, servers.size(), r.out());
        assertEquals("fs", servers.get(0).path("name").asText());
        assertEquals("guarded", servers.get(0).path("status").asText());
        assertEquals("recorded, not enforced", servers.get(1).path("status").asText());
        assertEquals("UNGUARDED", servers.get(2).path("status").asText());
        assertEquals("UNGUARDED", servers.get(3).path("status").asText());
    }

    @Test
    void allGuardedExitsZero(@TempDir Path repo) throws Exception {
        Files.writeString(repo.resolve(".mcp.json"), """
                {"mcpServers": {"fs": {"command": "agent-trace", "args": ["record", "--policy", "p.json", "--", "npx", "fs"]}}}
                """);
        Result r = CliTest.run("audit-tools", "--home", repo.resolve("no-home").toString(), "--repo", repo.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("server fs: guarded"), r.out());
    }

    @Test
    void aMalformedConfigIsAnErrorNotAGuardedOne(@TempDir Path repo) throws Exception {
        Files.writeString(repo.resolve(".mcp.json"), "{\"mcpServers\": {\n  \"fs\": {\"command\": }}");
        Files.createDirectories(repo.resolve(".cursor"));
        Files.writeString(repo.resolve(".cursor/mcp.json"), "{\"mcpServers\": {\"raw\": {\"command\": \"npx\", \"args\": [\"s\"]}}}");
        Result r = CliTest.run("audit-tools", "--home", repo.resolve("no-home").toString(), "--repo", repo.toString(), "--json");
        assertEquals(1, r.code(), "a config that cannot be read: the audit is not whole: " + r.err());
        JsonNode errors = JSON.readTree(r.out()).path("errors");
        assertEquals(1, errors.size(), r.out());
        assertTrue(errors.get(0).asText().contains(".mcp.json:2:"), "file:line:col: " + r.out());
        JsonNode servers = JSON.readTree(r.out()).path("servers");
        assertEquals(1, servers.size(), "the rest is still reported: " + r.out());
        assertEquals("cursor", servers.get(0).path("agent").asText());
        assertEquals("UNGUARDED", servers.get(0).path("status").asText());
    }

    @Test
    void findsEachAgentItsServersAndHooksInTheRepositoryAndTheHome(@TempDir Path tmp) throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Path home = Files.createDirectories(tmp.resolve("home"));
        Files.writeString(repo.resolve("CLAUDE.md"), "# rules");
        Files.writeString(repo.resolve("AGENTS.md"), "# rules");
        Files.writeString(repo.resolve(".cursorrules"), "be nice");
        Files.createDirectories(repo.resolve(".claude"));
        Files.writeString(repo.resolve(".claude/settings.json"), """
                {"hooks": {"PreToolUse": [{"matcher": "*", "hooks": [{"type": "command", "command": "agent-trace hook claude-code"}]}]}}
                """);
        Files.createDirectories(repo.resolve(".vscode"));
        Files.writeString(repo.resolve(".vscode/mcp.json"), """
                {"servers": {"remote": {"type": "http", "url": "https://mcp.example.com/mcp"},
                             "local": {"type": "http", "url": "http://127.0.0.1:3100/mcp"}}}
                """);
        Files.writeString(home.resolve(".claude.json"), """
                {"mcpServers": {"java": {"command": "/usr/bin/java", "args": ["-cp", "x.jar", "dev.agenttrace.cli.Main", "record", "--policy", "p.json", "--", "srv"]}},
                 "projects": {"/some/where": {"mcpServers": {
                    "sneaky": {"command": "agent-trace", "args": ["record", "--", "srv", "--policy", "p.json"]}}}}}
                """);
        Result r = CliTest.run("audit-tools", "--repo", repo.toString(), "--home", home.toString(), "--approved", "claude-code,copilot", "--json");
        assertEquals(3, r.code(), r.err());
        JsonNode report = JSON.readTree(r.out());
        java.util.Map<String, JsonNode> agents = new java.util.TreeMap<>();
        report.path("agents").forEach(a -> agents.put(a.path("agent").asText(), a));
        assertEquals(java.util.Set.of("claude-code", "codex", "copilot", "cursor"), agents.keySet(), r.out());
        assertTrue(agents.get("claude-code").path("hooks_through_agent_trace").asBoolean(), r.out());
        assertFalse(agents.get("cursor").path("hooks_through_agent_trace").asBoolean(), r.out());
        assertTrue(agents.get("claude-code").path("approved").asBoolean());
        assertFalse(agents.get("cursor").path("approved").asBoolean(), "not in --approved");
        assertFalse(agents.get("codex").path("approved").asBoolean());
        assertEquals(2, report.path("unapproved").asInt());
        java.util.Map<String, String> status = new java.util.TreeMap<>();
        report.path("servers").forEach(s -> status.put(s.path("name").asText(), s.path("status").asText()));
        assertEquals("UNGUARDED", status.get("remote"));
        assertEquals("recorded, not enforced", status.get("local"), "record-http's documented port");
        assertEquals("guarded", status.get("java"), "java ... dev.agenttrace.cli.Main record --policy");
        assertEquals("recorded, not enforced", status.get("sneaky"), "a --policy given to the server is not agent-trace's");
        assertEquals(3, report.path("unguarded").asInt(), r.out());
    }

    @Test
    void aPolicyFileInTheRepositoryGuardsARecordWithoutPolicyAndAnUnknownAgentIsABadArgument(@TempDir Path repo) throws Exception {
        Files.writeString(repo.resolve(".agent-scope.json"), "{}");
        Files.writeString(repo.resolve(".mcp.json"), """
                {"mcpServers": {"fs": {"command": "agent-trace", "args": ["record", "--", "npx", "fs"]}}}
                """);
        Result ok = CliTest.run("audit-tools", "--home", repo.resolve("no-home").toString(), "--repo", repo.toString());
        assertEquals(0, ok.code(), ok.out() + ok.err());
        assertTrue(ok.out().contains("server fs: guarded"), ok.out());
        Result bad = CliTest.run("audit-tools", "--home", repo.resolve("no-home").toString(), "--repo", repo.toString(), "--approved", "clade");
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("clade"), bad.err());
    }

    @Test
    void codexTomlServersAreAuditedWrappedOrNot(@TempDir Path tmp) throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Path home = Files.createDirectories(tmp.resolve("home"));
        Files.createDirectories(repo.resolve(".codex"));
        Files.writeString(repo.resolve(".codex/config.toml"), """
                # the project's Codex servers
                model = "gpt-5-codex"
                [mcp_servers.fs]   # wrapped, with a policy
                command = "agent-trace"
                args = ["record", "--policy", 'p.json', "--", "npx", "-y", "@modelcontextprotocol/server-filesystem"]
                env = { "ROOT" = "/tmp\\\\work \\u00e9" }
                startup_timeout_sec = 20

                [mcp_servers."evil\\u001b[2J"]
                command = "npx"

                [mcp_servers."raw docs"]
                command = "npx"
                args = [
                  "-y",   # comments between elements
                  "docs-server",
                ]
                """);
        Files.createDirectories(home.resolve(".codex"));
        Files.writeString(home.resolve(".codex/config.toml"), """
                [mcp_servers.figma]
                url = "https://mcp.figma.com/mcp"
                [mcp_servers.recorded]
                url = "http://127.0.0.1:3100/mcp"
                """);
        Result r = CliTest.run("audit-tools", "--repo", repo.toString(), "--home", home.toString(), "--json");
        assertEquals(3, r.code(), r.err());
        JsonNode report = JSON.readTree(r.out());
        java.util.Map<String, String> status = new java.util.TreeMap<>();
        report.path("servers").forEach(s -> status.put(s.path("agent").asText() + "/" + s.path("name").asText(), s.path("status").asText()));
        assertEquals(java.util.Map.of("codex/fs", "guarded", "codex/raw docs", "UNGUARDED", "codex/evil\u001b[2J", "UNGUARDED",
                "codex/figma", "UNGUARDED", "codex/recorded", "recorded, not enforced"), status, r.out());
        assertEquals(4, report.path("unguarded").asInt());
        assertEquals(0, report.path("errors").size(), r.out());
        Result text = CliTest.run("audit-tools", "--repo", repo.toString(), "--home", home.toString());
        assertTrue(text.out().contains("server raw docs: UNGUARDED  (" + repo.resolve(".codex/config.toml") + ")"), text.out());
        assertTrue(text.out().contains("server evil?[2J: UNGUARDED"), "a name's escape sequence never reaches the terminal: " + text.out());
    }

    @Test
    void aMalformedTomlIsAnErrorAtItsLineAndColumnAndTheRestIsStillReported(@TempDir Path tmp) throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Files.createDirectories(repo.resolve(".codex"));
        Files.writeString(repo.resolve(".codex/config.toml"), """
                [mcp_servers.fs]
                command = "agent-trace"
                args = ["record", "C:\\Users\\x"]
                """);
        Files.writeString(repo.resolve(".mcp.json"), "{\"mcpServers\": {\"raw\": {\"command\": \"npx\", \"args\": [\"s\"]}}}");
        Result r = CliTest.run("audit-tools", "--repo", repo.toString(), "--home", tmp.resolve("no-home").toString(), "--json");
        assertEquals(1, r.code(), "a config that cannot be read: the audit is not whole: " + r.err());
        JsonNode report = JSON.readTree(r.out());
        assertEquals(1, report.path("errors").size(), r.out());
        String error = report.path("errors").get(0).asText();
        assertTrue(error.startsWith(repo.resolve(".codex/config.toml") + ":3:22: \\U needs 8 hexadecimal digits; fix: "), error);
        assertTrue(error.contains("'literal string' for Windows paths"), "says how to fix it: " + error);
        assertEquals(1, report.path("servers").size(), "the JSON config is still audited: " + r.out());
        assertEquals("raw", report.path("servers").get(0).path("name").asText());
        assertTrue(r.out().contains("\"agent\":\"codex\""), "the .codex directory still names the agent: " + r.out());
    }

    @Test
    void agentsNamedByTheRepositorysCommitTrailersAndFilesAreFound(@TempDir Path tmp) throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Files.writeString(repo.resolve(".aider.input.history"), "x");
        Files.writeString(repo.resolve(".windsurfrules.md"), "x");
        Files.createDirectories(repo.resolve(".github"));
        Files.writeString(repo.resolve(".github/copilot-instructions.md"), "x");
        Assumptions.assumeTrue(git(repo, "init", "-q"), "git is not installed here (CI has it)");
        assertTrue(git(repo, "-c", "user.name=Jane", "-c", "user.email=jane@example.com", "commit", "-q", "--allow-empty",
                "-m", "fix the login\n\nCo-Authored-By: Claude <noreply@anthropic.com>"));
        assertTrue(git(repo, "-c", "user.name=Claude Monet", "-c", "user.email=claude@example.com", "commit", "-q", "--allow-empty",
                "-m", "a person named Claude is no agent"));
        Result r = CliTest.run("audit-tools", "--repo", repo.toString(), "--home", tmp.resolve("no-home").toString(),
                "--approved", "aider,windsurf,copilot", "--json");
        assertEquals(3, r.code(), r.err());
        JsonNode report = JSON.readTree(r.out());
        java.util.Map<String, JsonNode> agents = new java.util.TreeMap<>();
        report.path("agents").forEach(a -> agents.put(a.path("agent").asText(), a));
        assertEquals(java.util.Set.of("aider", "claude-code", "copilot", "windsurf"), agents.keySet(), r.out());
        String claude = agents.get("claude-code").path("found_in").get(0).asText();
        assertTrue(claude.startsWith("git log: 1 of the last 2 commits (") && claude.endsWith(" Co-Authored-By: Claude <noreply@anthropic.com>)"), claude);
        assertFalse(agents.get("claude-code").path("approved").asBoolean(), "the trailer names an agent nobody approved");
        assertEquals(1, report.path("unapproved").asInt());
        Result none = CliTest.run("audit-tools", "--repo", repo.toString(), "--home", tmp.resolve("no-home").toString(), "--commits", "0", "--json");
        assertFalse(none.out().contains("claude-code"), "--commits 0 reads no history: " + none.out());
    }

    private static boolean git(Path dir, String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("git", "-C", dir.toString()));
        cmd.addAll(java.util.List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
