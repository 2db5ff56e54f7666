package dev.agenttrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.cli.CliTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
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
        Result r = CliTest.run("audit-tools", "--repo", repo.toString(), "--json");
        assertEquals(1, r.code(), r.err());
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
        Result r = CliTest.run("audit-tools", "--repo", repo.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("fs  guarded"), r.out());
    }

    @Test
    void aMalformedConfigIsAnErrorNotAGuardedOne(@TempDir Path repo) throws Exception {
        Files.writeString(repo.resolve(".mcp.json"), "{\"mcpServers\": {\n  \"fs\": {\"command\": }}");
        Result r = CliTest.run("audit-tools", "--repo", repo.toString(), "--json");
        assertEquals(1, r.code(), r.err());
        JsonNode errors = JSON.readTree(r.out()).path("errors");
        assertEquals(1, errors.size(), r.out());
        assertTrue(errors.get(0).asText().contains(".mcp.json"), r.out());
    }
}
