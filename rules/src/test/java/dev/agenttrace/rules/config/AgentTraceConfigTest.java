package dev.agenttrace.rules.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentTraceConfigTest {
    @TempDir
    Path tmp;

    private AgentTraceConfig parse(String json) throws ConfigException {
        return AgentTraceConfig.parse(json, "config.json", tmp, tmp.resolve("home"));
    }

    private ConfigException error(String json) {
        return assertThrows(ConfigException.class, () -> parse(json));
    }

    @Test
    void readsEveryKeyWithPathsRelativeToTheFileAndTildeAsHome() throws ConfigException {
        AgentTraceConfig c = parse("""
                {"trace_dir": "~/.agent-traces", "policy": "p/.agent-scope.json", "policy_mode": "shadow",
                 "watch": ["a.json", "/etc/b.json"], "redact": false,
                 "retention": {"keep_days": 14, "max_size": "1.5G"}, "export": {"otlp_endpoint": "http://127.0.0.1:4318"}}""");
        assertEquals(tmp.resolve("home/.agent-traces"), c.traceDir());
        assertEquals(tmp.resolve("p/.agent-scope.json"), c.policy());
        assertEquals("shadow", c.policyMode());
        assertEquals(List.of(tmp.resolve("a.json"), Path.of("/etc/b.json")), c.watch());
        assertEquals(false, c.redact());
        assertEquals(14, c.keepDays());
        assertEquals((long) (1.5 * (1L << 30)), c.maxSizeBytes());
        assertEquals("http://127.0.0.1:4318", c.otlpEndpoint());
    }

    @Test
    void aTypoIsAnErrorAtItsLineAndColumnWithTheLikelyKey() {
        ConfigException e = error("{\n  \"trace_dri\": \"x\"\n}");
        assertEquals(2, e.line());
        assertEquals(3, e.column());
        assertTrue(e.getMessage().startsWith("config.json:2:3: unknown key \"trace_dri\""), e.getMessage());
        assertTrue(e.fix().contains("did you mean \"trace_dir\""), e.fix());
        assertTrue(error("{\"retention\": {\"keep_dayz\": 3}}").fix().contains("keep_days"));
    }

    @Test
    void wrongTypesDuplicatesAndBrokenSyntaxAreRefusedWithAFix() {
        assertTrue(error("{\"redact\": \"yes\"}").problem().contains("true or false"));
        assertTrue(error("{\"policy_mode\": \"strict\"}").fix().contains("enforce"));
        assertTrue(error("{\"watch\": \"a.json\"}").fix().contains("[\".agent-watch.json\"]"));
        assertTrue(error("{\"retention\": {\"max_size\": \"lots\"}}").problem().contains("max_size"));
        assertTrue(error("{\"retention\": {\"keep_days\": 0}}").problem().contains("keep_days"));
        assertTrue(error("{\"redact\": true, \"redact\": false}").problem().contains("twice"));
        assertTrue(error("{\"redact\": true,}").fix().contains("trailing comma"));
        assertTrue(error("").problem().contains("empty"));
        assertTrue(error("[]").problem().contains("one JSON object"));
        assertTrue(error("{} {}").problem().contains("after the closing"));
    }

    @Test
    void theProjectFileWinsKeyByKeyOverTheUsersFile() throws IOException, ConfigException {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Files.createDirectories(home.resolve(".config/agent-trace"));
        Files.writeString(home.resolve(".config/agent-trace/config.json"), "{\"trace_dir\": \"~/t\", \"redact\": false}");
        Path project = Files.createDirectories(tmp.resolve("proj"));
        Files.createDirectory(project.resolve(".git"));
        Files.writeString(project.resolve(".agent-trace.json"), "{\"redact\": true}");
        Path wd = Files.createDirectories(project.resolve("src"));
        AgentTraceConfig c = AgentTraceConfig.load(wd, Map.of(), home);
        assertEquals(home.resolve("t"), c.traceDir());
        assertEquals(true, c.redact());
        assertEquals(2, c.sources().size(), c.source());
        AgentTraceConfig none = AgentTraceConfig.load(tmp.resolve("elsewhere"),
                Map.of("XDG_CONFIG_HOME", tmp.resolve("x").toString()), home);
        assertNull(none.traceDir());
    }

    @Test
    void sizesReadAsPeopleWriteThem() {
        assertEquals(2L << 30, AgentTraceConfig.parseSize("2G"));
        assertEquals(500L << 20, AgentTraceConfig.parseSize("500MB"));
        assertEquals(64L << 10, AgentTraceConfig.parseSize("64k"));
        assertEquals(1000L, AgentTraceConfig.parseSize("1000"));
        assertNull(AgentTraceConfig.parseSize("-1G"));
        assertNull(AgentTraceConfig.parseSize("big"));
    }
}
