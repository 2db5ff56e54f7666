package dev.agenttrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.cli.CliTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agent-trace wrap} / {@code unwrap} as a user types them, and what {@code audit-tools} then says. */
class WrapCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String MCP = "{\n  \"mcpServers\": {\n    \"fs\": {\"command\": \"npx\", \"args\": [\"-y\", \"@modelcontextprotocol/server-filesystem\", \".\"],"
            + " \"env\": {\"A\": \"1\"}},\n    \"api\": {\"type\": \"http\", \"url\": \"https://mcp.example.com/mcp\"}\n  }\n}\n";
    static final String CURSOR = "{\"mcpServers\":{\"git\":{\"command\":\"uvx\",\"args\":[\"mcp-server-git\"]}}}";
    static final String VSCODE = "{\n  // JSONC\n  \"servers\": {\"mem\": {\"type\": \"stdio\", \"command\": \"npx\", \"args\": [\"m\"]}}\n}\n";

    @TempDir
    Path tmp;
    Path project;
    Path home;

    @BeforeEach
    void configs() throws Exception {
        project = Files.createDirectories(tmp.resolve("project"));
        home = Files.createDirectories(tmp.resolve("home"));
        Files.writeString(project.resolve(".mcp.json"), MCP);
        Files.createDirectories(project.resolve(".cursor"));
        Files.writeString(project.resolve(".cursor/mcp.json"), CURSOR);
        Files.createDirectories(project.resolve(".vscode"));
        Files.writeString(project.resolve(".vscode/mcp.json"), VSCODE);
    }

    private Result wrap(String... more) {
        return CliTest.run(Stream.concat(Stream.of("wrap", "--dir", project.toString(), "--home", home.toString()), Stream.of(more))
                .toArray(String[]::new));
    }

    private Result unwrap(String... more) {
        return CliTest.run(Stream.concat(Stream.of("unwrap", "--dir", project.toString(), "--home", home.toString()), Stream.of(more))
                .toArray(String[]::new));
    }

    private void assertUntouched() throws Exception {
        assertEquals(MCP, Files.readString(project.resolve(".mcp.json")));
        assertEquals(CURSOR, Files.readString(project.resolve(".cursor/mcp.json")));
        assertEquals(VSCODE, Files.readString(project.resolve(".vscode/mcp.json")));
        try (Stream<Path> s = Files.walk(project)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().contains("agent-trace")).toList(), "no backup, no temporary file");
        }
    }

    private JsonNode audit() throws Exception {
        Result r = CliTest.run("audit-tools", "--repo", project.toString(), "--home", home.toString(), "--commits", "0", "--json");
        return JSON.readTree(r.out()).path("servers");
    }

    private static String status(JsonNode servers, String name) {
        for (JsonNode s : servers) {
            if (s.path("name").asText().equals(name)) {
                return s.path("status").asText();
            }
        }
        throw new AssertionError(name + " not in " + servers);
    }

    @Test
    void dryRunPrintsTheChangeAndWritesNothing() throws Exception {
        Result r = wrap("--dry-run");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("[dry run] " + project.resolve(".mcp.json") + ":"), r.out());
        assertTrue(r.out().contains("+     \"fs\": {\"command\": \"agent-trace\", \"args\": [\"record\", \"--name\", \"fs\", \"--\", \"npx\""), r.out());
        assertTrue(r.out().contains("agent-trace record-http https://mcp.example.com/mcp --name api --port 3101"), r.out());
        assertTrue(r.out().contains("set its url to http://127.0.0.1:3101/mcp"), r.out());
        assertUntouched();
        wrap();
        byte[] wrapped = Files.readAllBytes(project.resolve(".mcp.json"));
        r = unwrap("--dry-run");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("unwrapped fs: npx -y @modelcontextprotocol/server-filesystem ."), r.out());
        assertEquals(new String(wrapped), Files.readString(project.resolve(".mcp.json")), "unwrap --dry-run writes nothing either");
    }

    @Test
    void wrappedServersAreRecordedOrGuardedForAuditToolsAndUnwrapGivesTheBytesBack() throws Exception {
        JsonNode before = audit();
        assertEquals("UNGUARDED", status(before, "fs"));
        assertEquals("UNGUARDED", status(before, "git"));
        assertEquals("UNGUARDED", status(before, "mem"));

        Result r = wrap("claude-code", "--command", "/opt/at/bin/agent-trace");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("wrapped fs: /opt/at/bin/agent-trace record --name fs -- npx"), r.out());
        Path policy = project.resolve("policy.json");
        Files.writeString(policy, "{}");
        assertEquals(0, wrap("cursor", "--policy", policy.toString()).code());
        assertEquals(0, wrap("vscode", "--policy", policy.toString()).code());
        JsonNode after = audit();
        assertEquals("recorded, not enforced", status(after, "fs"), "recorded, no policy: " + after);
        assertEquals("guarded", status(after, "git"), after.toString());
        assertEquals("guarded", status(after, "mem"), "VS Code's JSONC too: " + after);
        assertEquals("UNGUARDED", status(after, "api"), "a remote server is left alone");
        JsonNode git = JSON.readTree(project.resolve(".cursor/mcp.json").toFile()).at("/mcpServers/git");
        assertEquals(List.of("record", "--name", "git", "--policy", policy.toAbsolutePath().toString(), "--", "uvx", "mcp-server-git"),
                JSON.convertValue(git.get("args"), List.class));

        byte[] once = Files.readAllBytes(project.resolve(".mcp.json"));
        r = wrap("--command", "/opt/at/bin/agent-trace");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("fs: already runs through agent-trace record; unchanged"), r.out());
        assertEquals(new String(once), Files.readString(project.resolve(".mcp.json")), "a second wrap changes nothing");

        r = unwrap("--command", "/opt/at/bin/agent-trace");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("restored the file as it was before wrap"), r.out());
        Files.delete(policy);
        assertUntouched();
        assertEquals("UNGUARDED", status(audit(), "fs"));
    }

    @Test
    void aMalformedConfigStopsTheRunWithFileLineAndColumnAndNoFileIsWritten() throws Exception {
        String bad = "{\"mcpServers\": {\n  \"x\": {\"command\": \"a\",, }}}";
        Files.writeString(project.resolve(".vscode/mcp.json"), bad);
        Result r = wrap();
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains(project.resolve(".vscode/mcp.json") + ":2:"), r.err());
        assertTrue(r.err().contains("nothing was written"), r.err());
        assertEquals(MCP, Files.readString(project.resolve(".mcp.json")), "the good files are not written either");
        assertEquals(CURSOR, Files.readString(project.resolve(".cursor/mcp.json")));
        assertEquals(bad, Files.readString(project.resolve(".vscode/mcp.json")));
    }

    @Test
    void setupWrapServersInstallsHooksAndWrapsAndUndoPutsBothBack() throws Exception {
        // Gemini keeps hooks and servers in one file: the order of undo matters
        Files.createDirectories(project.resolve(".gemini"));
        String settings = "{\n  \"theme\": \"GitHub\",\n  \"mcpServers\": {\n    \"py\": {\"command\": \"python\", \"args\": [\"-m\", \"srv\"], \"cwd\": \"./srv\"}\n  }\n}\n";
        Files.writeString(project.resolve(".gemini/settings.json"), settings);
        Result r = CliTest.run("setup", "gemini", "--dir", project.toString(), "--command", "/opt/at/bin/agent-trace", "--wrap-servers");
        assertEquals(0, r.code(), r.err());
        JsonNode s = JSON.readTree(project.resolve(".gemini/settings.json").toFile());
        assertTrue(s.path("hooks").has("BeforeTool"), s.toString());
        assertEquals("/opt/at/bin/agent-trace", s.at("/mcpServers/py/command").asText());
        assertEquals("./srv", s.at("/mcpServers/py/cwd").asText());
        r = CliTest.run("setup", "gemini", "--dir", project.toString(), "--command", "/opt/at/bin/agent-trace", "--wrap-servers", "--undo");
        assertEquals(0, r.code(), r.err() + r.out());
        assertEquals(settings, Files.readString(project.resolve(".gemini/settings.json")));
    }

    @Test
    void anUnknownAgentOrBothScopesAreUsageErrors() {
        Result r = wrap("codex");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("TOML"), r.err());
        assertEquals(2, wrap("--project", "--user").code());
    }
}
