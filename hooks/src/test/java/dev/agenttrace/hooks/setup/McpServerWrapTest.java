package dev.agenttrace.hooks.setup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** wrap runs each stdio server through agent-trace record, leaves the rest of the file alone, and unwrap gives it back. */
class McpServerWrapTest {
    static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).enable(JsonReadFeature.ALLOW_TRAILING_COMMA).build();
    static final String BIN = "/opt/agent trace/bin/agent-trace";
    static final McpServerWrap.Options OPTS = new McpServerWrap.Options(BIN, List.of("--policy", "/p/.agent-scope.json"));

    @TempDir
    Path tmp;

    /** Each agent's config, already holding servers of every kind, env, cwd and odd formatting. */
    private static String existing(String agent, Path project) {
        return switch (agent) {
            case "claude-code" -> "{\n\t\"mcpServers\": {\n\t\t\"fs\": {\"type\":\"stdio\",\"command\": \"npx\",\n\t\t\t\"args\": [\"-y\",\n\t\t\t\t\"@modelcontextprotocol/server-filesystem\", \".\"],"
                    + "\n\t\t\t\"env\": {\"DEBUG\": \"1\"}},\n\t\t\"remote\" : { \"type\": \"http\", \"url\": \"https://mcp.example.com/mcp\" },\n"
                    + "\t\t\"bare\":{\"command\":\"./server.sh\"}\n\t},\n\t\"futureKey\": [1,2 ,3]\n}";
            case "claude-json" -> "{\"numStartups\":12,\"projects\":{\"" + project + "\":{\"allowedTools\":[],\"mcpServers\":{\"local\":{\"command\":\"uvx\","
                    + "\"args\":[\"mcp-server-git\"],\"env\":{}}}},\"/elsewhere\":{\"mcpServers\":{\"other\":{\"command\":\"other\"}}}},"
                    + "\"mcpServers\":{\"userwide\":{\"command\":\"node\",\"args\":[\"/srv/x.js\"]}}}";
            case "cursor" -> "{\r\n  \"mcpServers\": {\r\n    \"github\": {\r\n      \"command\": \"docker\",\r\n      \"args\": [\"run\", \"-i\", \"--rm\", \"-e\", "
                    + "\"GITHUB_TOKEN\", \"ghcr.io/github/github-mcp-server\"],\r\n      \"env\": { \"GITHUB_TOKEN\": \"${env:GITHUB_TOKEN}\" }\r\n    },\r\n"
                    + "    \"sse\": { \"url\": \"http://localhost:8000/sse\", \"headers\": {\"X\": \"y\"} }\r\n  }\r\n}\r\n";
            case "vscode" -> "{\n  // comments are allowed in VS Code's mcp.json\n  \"inputs\": [{\"type\": \"promptString\", \"id\": \"key\", \"password\": true}],\n"
                    + "  \"servers\": {\n    \"memory\": {\"type\": \"stdio\", \"command\": \"npx\", \"args\": [\"-y\", \"@modelcontextprotocol/server-memory\"], "
                    + "\"envFile\": \"${workspaceFolder}/.env\", \"cwd\": \"${workspaceFolder}\"},\n    \"api\": {\"type\": \"http\", \"url\": \"https://api.example.com/mcp\"},\n  },\n}\n";
            case "windsurf" -> "{\"mcpServers\":{\"brave\":{\"command\":\"npx\",\"args\":[\"-y\",\"@modelcontextprotocol/server-brave-search\"],"
                    + "\"env\":{\"BRAVE_API_KEY\":\"k\"},\"disabled\":false},\"remote\":{\"serverUrl\":\"https://mcp.example.com/sse\"}}}";
            case "gemini" -> "{\n    \"theme\": \"GitHub\",\n    \"hooks\": {\"BeforeTool\": []},\n    \"mcpServers\": {\n        \"py\": {\n            \"command\": \"python\",\n"
                    + "            \"args\": [\"-m\", \"my_server\", \"--flag=a b\"],\n            \"cwd\": \"./srv\",\n            \"timeout\": 30000,\n"
                    + "            \"trust\": false\n        },\n        \"stream\": {\"httpUrl\": \"https://x.example/mcp\"}\n    }\n}\n";
            default -> throw new IllegalArgumentException(agent);
        };
    }

    private McpServerWrap.Target target(String agent, Path project, Path home) {
        return switch (agent) {
            case "claude-json" -> McpServerWrap.targets("claude-code", true, project, home).get(0);
            default -> McpServerWrap.targets(agent, false, project, home).get(0);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"claude-code", "claude-json", "cursor", "vscode", "windsurf", "gemini"})
    void wrapsEveryStdioServerKeepsEverythingElseIsIdempotentAndUnwrapsByteForByte(String agent) throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Path home = Files.createDirectories(tmp.resolve("home"));
        McpServerWrap.Target t = target(agent, project, home);
        String before = existing(agent, project);
        Files.createDirectories(t.file().getParent());
        Files.writeString(t.file(), before);
        JsonNode orig = JSON.readTree(before);

        McpServerWrap.Change c = McpServerWrap.wrap(t, OPTS);
        assertTrue(c.changed());
        McpServerWrap.write(c);
        String after = Files.readString(t.file());
        JsonNode wrapped = JSON.readTree(after);
        int stdio = 0;
        for (McpServerWrap.Server s : c.servers()) {
            JsonNode was = at(orig, s);
            JsonNode now = at(wrapped, s);
            if (s.kind() == McpServerWrap.Kind.REMOTE) {
                assertEquals(was, now, "a remote server is left alone: " + s);
                continue;
            }
            assertEquals(McpServerWrap.Kind.WRAPPED, s.kind(), s.toString());
            stdio++;
            assertEquals(BIN, now.path("command").asText());
            List<String> args = JSON.convertValue(now.path("args"), JSON.getTypeFactory().constructCollectionType(List.class, String.class));
            int sep = args.indexOf("--");
            assertEquals(List.of("record", "--name", s.name(), "--policy", "/p/.agent-scope.json"), args.subList(0, sep));
            List<String> original = new java.util.ArrayList<>(List.of(was.path("command").asText()));
            was.path("args").forEach(a -> original.add(a.asText()));
            assertEquals(original, args.subList(sep + 1, args.size()), "the original command line follows --");
            ObjectNode rest = ((ObjectNode) now).deepCopy();
            ObjectNode wasRest = ((ObjectNode) was).deepCopy();
            rest.remove(List.of("command", "args"));
            wasRest.remove(List.of("command", "args"));
            assertEquals(wasRest, rest, "env, cwd and every other key of the server are kept");
            assertEquals(List.copyOf(iter(was)).subList(0, 1), List.copyOf(iter(now)).subList(0, 1), "keys keep their order");
        }
        assertTrue(stdio >= 1);
        // everything outside the servers is untouched
        ObjectNode a = ((ObjectNode) wrapped).deepCopy();
        ObjectNode b = ((ObjectNode) orig).deepCopy();
        a.remove(List.of("mcpServers", "servers", "projects"));
        b.remove(List.of("mcpServers", "servers", "projects"));
        assertEquals(b, a);
        switch (agent) {
            case "vscode" -> assertTrue(after.startsWith("{\n  // comments are allowed in VS Code's mcp.json\n  \"inputs\""), after);
            case "cursor" -> assertTrue(after.contains("\r\n      \"env\": { \"GITHUB_TOKEN\": \"${env:GITHUB_TOKEN}\" }\r\n"), after);
            case "claude-code" -> assertTrue(after.contains("\"bare\":{\"command\":\"/opt/agent trace/bin/agent-trace\", \"args\": [\"record\""), after);
            case "claude-json" -> assertEquals("other", wrapped.at("/projects/~1elsewhere/mcpServers/other/args/6").asText(), after);
            default -> {
            }
        }

        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(McpServerWrap.backupOf(t.file()))), "the backup holds the servers' env: owner only");
        byte[] once = Files.readAllBytes(t.file());
        McpServerWrap.Change again = McpServerWrap.wrap(t, OPTS);
        assertFalse(again.changed(), "a second wrap changes nothing");
        assertTrue(again.servers().stream().anyMatch(s -> s.kind() == McpServerWrap.Kind.ALREADY_WRAPPED));
        McpServerWrap.write(again);
        assertArrayEquals(once, Files.readAllBytes(t.file()));

        McpServerWrap.Change undo = McpServerWrap.unwrap(t, BIN);
        assertTrue(undo.exact());
        McpServerWrap.write(undo);
        assertArrayEquals(before.getBytes(StandardCharsets.UTF_8), Files.readAllBytes(t.file()), "unwrap is byte-identical");
        assertFalse(Files.exists(McpServerWrap.backupOf(t.file())), "and takes its backup away");
        assertFalse(McpServerWrap.unwrap(t, BIN).changed(), "a second unwrap changes nothing");
    }

    @ParameterizedTest
    @ValueSource(strings = {"claude-code", "cursor", "vscode", "windsurf", "gemini"})
    void withoutTheBackupUnwrapRecoversEachServerFromItsWrappedArgs(String agent) throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        McpServerWrap.Target t = target(agent, project, tmp.resolve("home"));
        String before = existing(agent, project);
        Files.createDirectories(t.file().getParent());
        Files.writeString(t.file(), before);
        McpServerWrap.write(McpServerWrap.wrap(t, OPTS));
        Files.delete(McpServerWrap.backupOf(t.file()));

        McpServerWrap.Change undo = McpServerWrap.unwrap(t, BIN);
        assertFalse(undo.exact());
        McpServerWrap.write(undo);
        JsonNode back = JSON.readTree(Files.readString(t.file()));
        JsonNode orig = JSON.readTree(before);
        if (agent.equals("claude-code")) {
            // a server that had no args gets an empty list: the same command line
            ((ObjectNode) orig.at("/mcpServers/bare")).putArray("args");
        }
        assertEquals(orig, back, "the same configuration, if not the same bytes");
    }

    @Test
    void whenTheAgentRewroteTheFileUnwrapKeepsItsChangesAndUsesTheBackupPerServer() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Path home = Files.createDirectories(tmp.resolve("home"));
        McpServerWrap.Target t = McpServerWrap.targets("claude-code", true, project, home).get(0);
        Files.writeString(t.file(), existing("claude-json", project));
        McpServerWrap.write(McpServerWrap.wrap(t, OPTS));
        // Claude Code rewrites ~/.claude.json (pretty-printed, with new state)
        ObjectNode rewritten = (ObjectNode) JSON.readTree(Files.readString(t.file()));
        rewritten.put("numStartups", 13);
        Files.writeString(t.file(), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(rewritten));

        McpServerWrap.Change undo = McpServerWrap.unwrap(t, BIN);
        assertFalse(undo.exact());
        McpServerWrap.write(undo);
        JsonNode back = JSON.readTree(Files.readString(t.file()));
        ObjectNode expected = (ObjectNode) JSON.readTree(existing("claude-json", project));
        expected.put("numStartups", 13);
        assertEquals(expected, back, "the agent's change is kept, every server is as it was (no args where there were none)");
        assertFalse(Files.exists(McpServerWrap.backupOf(t.file())));
    }

    @Test
    void aServerAddedAfterWrapIsWrappedByTheNextRunAndUnwrapStillRestoresAll() throws Exception {
        Path f = tmp.resolve(".mcp.json");
        Files.writeString(f, "{\"mcpServers\": {\"a\": {\"command\": \"a\"}}}");
        McpServerWrap.Target t = McpServerWrap.file(f);
        McpServerWrap.write(McpServerWrap.wrap(t, OPTS));
        String wrapped = Files.readString(f);
        Files.writeString(f, wrapped.replace("}}}", "}, \"b\": {\"command\": \"b\", \"args\": [\"x\"]}}}"));
        McpServerWrap.write(McpServerWrap.wrap(t, OPTS));
        JsonNode both = JSON.readTree(f.toFile());
        assertEquals(BIN, both.at("/mcpServers/b/command").asText());
        McpServerWrap.Change undo = McpServerWrap.unwrap(t, BIN);
        assertFalse(undo.exact(), "the first original does not hold b, so it is not put back whole");
        McpServerWrap.write(undo);
        assertEquals("{\"mcpServers\": {\"a\": {\"command\": \"a\"}, \"b\": {\"command\": \"b\", \"args\": [\"x\"]}}}", Files.readString(f));
    }

    @Test
    void aMalformedConfigIsRefusedWithFileLineAndColumnAndNothingIsWritten() throws Exception {
        Path f = tmp.resolve(".mcp.json");
        String bad = "{\n  \"mcpServers\": {\n    \"fs\": {\"command\": }\n  }\n}\n";
        Files.writeString(f, bad);
        McpServerWrap.ConfigError e = assertThrows(McpServerWrap.ConfigError.class, () -> McpServerWrap.wrap(McpServerWrap.file(f), OPTS));
        assertTrue(e.getMessage().startsWith(f + ":3:"), e.getMessage());
        assertEquals(bad, Files.readString(f));
        assertFalse(Files.exists(McpServerWrap.backupOf(f)));
        Files.writeString(f, "{\"mcpServers\": [\"not\", \"an object\"]}");
        e = assertThrows(McpServerWrap.ConfigError.class, () -> McpServerWrap.wrap(McpServerWrap.file(f), OPTS));
        assertTrue(e.getMessage().contains("mcpServers is not an object"), e.getMessage());
    }

    @Test
    void aServerWrappedByHandIsNotWrappedTwice() throws Exception {
        Path f = tmp.resolve(".mcp.json");
        String text = "{\"mcpServers\": {\"fs\": {\"command\": \"agent-trace\", \"args\": [\"record\", \"--\", \"npx\", \"fs\"]}}}";
        Files.writeString(f, text);
        McpServerWrap.Change c = McpServerWrap.wrap(McpServerWrap.file(f), OPTS);
        assertFalse(c.changed());
        assertEquals(McpServerWrap.Kind.ALREADY_WRAPPED, c.servers().get(0).kind());
        // record also takes the server command without '--'
        String noSeparator = "{\"mcpServers\": {\"fs\": {\"command\": \"agent-trace\", \"args\": [\"record\", \"npx\", \"fs\"]}}}";
        Files.writeString(f, noSeparator);
        assertFalse(McpServerWrap.wrap(McpServerWrap.file(f), OPTS).changed(), "not wrapped twice");
        McpServerWrap.Change u = McpServerWrap.unwrap(McpServerWrap.file(f), BIN);
        assertFalse(u.changed(), "nor guessed at by unwrap");
        assertEquals(McpServerWrap.Kind.SKIPPED, u.servers().get(0).kind());
    }

    private static JsonNode at(JsonNode root, McpServerWrap.Server s) {
        String block = s.block();
        JsonNode decl = block.startsWith("projects[")
                ? root.path("projects").path(block.substring(block.indexOf("[\"") + 2, block.indexOf("\"]"))).path("mcpServers")
                : root.path(block);
        return decl.path(s.name());
    }

    private static List<String> iter(JsonNode n) {
        List<String> out = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
