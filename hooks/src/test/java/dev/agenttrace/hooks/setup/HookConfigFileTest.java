package dev.agenttrace.hooks.setup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.hooks.event.Agent;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** setup merges into the agent's own configuration and --undo gives back exactly what was there. */
class HookConfigFileTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private AgentHooks.Options options(boolean strict) {
        return new AgentHooks.Options("/opt/agent trace/bin/agent-trace", URI.create("http://127.0.0.1:3100/"), tmp.resolve(".agent-traces"), strict);
    }

    /** Existing configuration in each agent's format, with other hooks, odd formatting and keys agent-trace does not know. */
    private static String existing(Agent agent) {
        return switch (agent) {
            case CLAUDE_CODE -> "{\n\t\"permissions\": {\"deny\": [\"Read(./.env)\"]},\n\t\"hooks\": {\n\t\t\"PreToolUse\": [\n\t\t\t{\"matcher\": \"Bash\", "
                    + "\"hooks\": [{\"type\": \"command\", \"command\": \"./check.sh\"}]}\n\t\t]\n\t},\n\t\"futureKey\": {\"x\": [1,2 ,3]}\n}\n";
            case CURSOR -> "{\"version\":1,\"hooks\":{\"beforeShellExecution\":[{\"command\":\"./hooks/block-git.sh\"}]}}";
            case GEMINI -> "{\n    // the user's own comment\n    \"theme\": \"GitHub\",\n    \"hooks\": {}\n}\n";
            case CODEX -> "{\n  \"hooks\": {\n    \"PreToolUse\": [],\n    \"Stop\": [ {\"hooks\": [{\"type\": \"command\", \"command\": \"notify-send done\"}]} ]\n  }\n}";
            case COPILOT -> "";
        };
    }

    @ParameterizedTest
    @EnumSource(Agent.class)
    void mergesKeepsOtherHooksIsIdempotentAndUndoesByteForByte(Agent agent) throws Exception {
        HookConfigFile.Plan plan = AgentHooks.plan(agent, AgentHooks.Scope.PROJECT, tmp, tmp.resolve("home"), options(false));
        String before = existing(agent);
        if (!before.isEmpty()) {
            Files.createDirectories(plan.file().getParent());
            Files.writeString(plan.file(), before);
        }
        HookConfigFile.Outcome first = HookConfigFile.apply(plan, false);
        assertTrue(first.changed());
        String after = Files.readString(plan.file());
        JsonNode merged = com.fasterxml.jackson.databind.json.JsonMapper.builder()
                .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_JAVA_COMMENTS).build().readTree(after);
        for (HookConfigFile.Entry e : plan.entries()) {
            boolean found = false;
            for (JsonNode n : merged.path("hooks").path(e.event())) {
                found |= n.equals(e.json());
            }
            assertTrue(found, e.event() + " in " + after);
        }
        switch (agent) {
            case CLAUDE_CODE -> {
                assertTrue(after.startsWith("{\n\t\"permissions\": {\"deny\": [\"Read(./.env)\"]},\n\t\"hooks\": {\n\t\t\"PreToolUse\": [\n\t\t\t{\"matcher\": \"Bash\""),
                        "the file's own text is untouched: " + after);
                assertTrue(after.contains("\"futureKey\": {\"x\": [1,2 ,3]}"), after);
                assertEquals("./check.sh", merged.path("hooks").path("PreToolUse").get(0).path("hooks").get(0).path("command").asText());
                assertEquals("http://127.0.0.1:3100/hooks/claude-code",
                        merged.path("hooks").path("PreToolUse").get(1).path("hooks").get(0).path("url").asText());
            }
            case CURSOR -> assertEquals("./hooks/block-git.sh", merged.path("hooks").path("beforeShellExecution").get(0).path("command").asText());
            case GEMINI -> assertTrue(after.contains("// the user's own comment") && after.contains("\"theme\": \"GitHub\""), after);
            case CODEX -> assertEquals("notify-send done", merged.path("hooks").path("Stop").get(0).path("hooks").get(0).path("command").asText());
            case COPILOT -> assertEquals(1, merged.path("version").asInt());
        }
        byte[] once = Files.readAllBytes(plan.file());
        HookConfigFile.Outcome second = HookConfigFile.apply(plan, false);
        assertFalse(second.changed(), "a second setup changes nothing");
        assertArrayEquals(once, Files.readAllBytes(plan.file()));

        HookConfigFile.undo(plan.file(), false, false);
        if (before.isEmpty()) {
            assertFalse(Files.exists(plan.file()), "a file setup created is removed by undo");
            assertFalse(Files.exists(plan.file().getParent()), "and so is the directory it created");
        } else {
            assertArrayEquals(before.getBytes(StandardCharsets.UTF_8), Files.readAllBytes(plan.file()), "undo is byte-identical");
        }
        assertFalse(Files.exists(HookConfigFile.backupOf(plan.file())));
    }

    @Test
    void dryRunWritesNothing() throws Exception {
        HookConfigFile.Plan plan = AgentHooks.plan(Agent.CLAUDE_CODE, AgentHooks.Scope.PROJECT, tmp, tmp, options(false));
        HookConfigFile.Outcome r = HookConfigFile.apply(plan, true);
        assertTrue(r.changed());
        assertTrue(r.text().contains("/hooks/claude-code"));
        assertFalse(Files.exists(plan.file()));
    }

    @Test
    void undoRefusesToDropEditsMadeAfterSetup() throws Exception {
        HookConfigFile.Plan plan = AgentHooks.plan(Agent.CLAUDE_CODE, AgentHooks.Scope.PROJECT, tmp, tmp, options(false));
        Files.createDirectories(plan.file().getParent());
        Files.writeString(plan.file(), "{}");
        HookConfigFile.apply(plan, false);
        Files.writeString(plan.file(), Files.readString(plan.file()).replace("{", "{\"model\": \"opus\",").replaceFirst("\\{\"model\": \"opus\",", "{\"model\": \"opus\","));
        IOException e = assertThrows(IOException.class, () -> HookConfigFile.undo(plan.file(), false, false));
        assertTrue(e.getMessage().contains("changed after agent-trace setup"), e.getMessage());
        HookConfigFile.undo(plan.file(), false, true);
        assertEquals("{}", Files.readString(plan.file()));
    }

    @Test
    void aFileThatIsNotJsonIsLeftAloneWithAClearError() throws Exception {
        HookConfigFile.Plan plan = AgentHooks.plan(Agent.CLAUDE_CODE, AgentHooks.Scope.PROJECT, tmp, tmp, options(false));
        Files.createDirectories(plan.file().getParent());
        Files.writeString(plan.file(), "{\"hooks\": ");
        IOException e = assertThrows(IOException.class, () -> HookConfigFile.apply(plan, false));
        assertTrue(e.getMessage().contains("settings.json is not valid JSON"), e.getMessage());
        assertEquals("{\"hooks\": ", Files.readString(plan.file()));
    }

    @Test
    void strictMakesPreToolUseACommandThatFailsClosed() throws Exception {
        HookConfigFile.Plan plan = AgentHooks.plan(Agent.CLAUDE_CODE, AgentHooks.Scope.PROJECT, tmp, tmp, options(true));
        HookConfigFile.apply(plan, false);
        JsonNode pre = JSON.readTree(plan.file().toFile()).path("hooks").path("PreToolUse").get(0).path("hooks").get(0);
        assertEquals("command", pre.path("type").asText());
        String cmd = pre.path("command").asText();
        assertTrue(cmd.startsWith("'/opt/agent trace/bin/agent-trace' hook claude-code PreToolUse"), cmd);
        assertTrue(cmd.contains("--strict") && cmd.endsWith("exit 2; }"), cmd);
    }

    @Test
    void codexUserHooksGoWhereCodexReadsThemAndSessionEndKeepsWithinItsLimit() throws Exception {
        Path codexHome = tmp.resolve("elsewhere/codex-home");
        HookConfigFile.Plan user = AgentHooks.plan(Agent.CODEX, AgentHooks.Scope.USER, tmp.resolve("project"), tmp.resolve("home"), codexHome, options(false));
        assertEquals(codexHome.resolve("hooks.json"), user.file(), "$CODEX_HOME/hooks.json, not ~/.codex, when CODEX_HOME is set");
        assertEquals(tmp.resolve("home/.codex/hooks.json"),
                AgentHooks.plan(Agent.CODEX, AgentHooks.Scope.USER, tmp.resolve("project"), tmp.resolve("home"), options(false)).file());
        HookConfigFile.apply(user, false);
        JsonNode hooks = JSON.readTree(user.file().toFile()).path("hooks");
        assertEquals(3, hooks.path("SessionEnd").get(0).path("hooks").get(0).path("timeout").asInt(), "Codex clamps a SessionEnd hook to 3 s");
        assertEquals(60, hooks.path("PreToolUse").get(0).path("hooks").get(0).path("timeout").asInt());
    }
}
