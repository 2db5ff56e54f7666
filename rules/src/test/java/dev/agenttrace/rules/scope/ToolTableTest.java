package dev.agenttrace.rules.scope;

import static dev.agenttrace.rules.scope.ArgumentKind.COMMAND;
import static dev.agenttrace.rules.scope.ArgumentKind.FILE_READ;
import static dev.agenttrace.rules.scope.ArgumentKind.FILE_WRITE;
import static dev.agenttrace.rules.scope.ArgumentKind.URL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolTableTest {
    private final ToolTable table = ToolTable.defaults();

    private List<ArgumentBinding> args(String tool) {
        return table.lookup(tool).orElseThrow(() -> new AssertionError(tool + " missing")).arguments();
    }

    @Test
    void knowsClaudeCodeTools() {
        Map<String, ArgumentBinding> expected = Map.of(
                "Read", new ArgumentBinding("file_path", FILE_READ),
                "Write", new ArgumentBinding("file_path", FILE_WRITE),
                "Edit", new ArgumentBinding("file_path", FILE_WRITE),
                "MultiEdit", new ArgumentBinding("file_path", FILE_WRITE),
                "NotebookEdit", new ArgumentBinding("notebook_path", FILE_WRITE),
                "Grep", new ArgumentBinding("path", ArgumentKind.TREE_READ),
                "WebFetch", new ArgumentBinding("url", URL));
        expected.forEach((tool, binding) -> assertEquals(binding, args(tool).get(0), tool));
        assertEquals(List.of(new ArgumentBinding("command", ArgumentKind.CODE)), args("PowerShell"));
        assertTrue(args("Agent").isEmpty());
        assertTrue(args("Bash").contains(new ArgumentBinding("command", COMMAND)));
        assertEquals(2, args("Glob").size());
        assertTrue(args("WebSearch").isEmpty());
    }

    @Test
    void knowsTheReferenceFilesystemGitFetchAndShellServers() {
        for (String read : List.of("read_file", "read_text_file", "list_directory", "directory_tree", "search_files", "get_file_info")) {
            assertEquals(new ArgumentBinding("path", FILE_READ), args(read).get(0), read);
        }
        assertEquals(List.of(new ArgumentBinding("paths", FILE_READ)), args("read_multiple_files"));
        for (String write : List.of("write_file", "edit_file", "create_directory")) {
            assertEquals(new ArgumentBinding("path", FILE_WRITE), args(write).get(0), write);
        }
        assertEquals(List.of(new ArgumentBinding("source", FILE_READ), new ArgumentBinding("source", FILE_WRITE),
                new ArgumentBinding("destination", FILE_WRITE)), args("move_file"));
        assertEquals(List.of(new ArgumentBinding("repo_path", FILE_READ)), args("git_status"));
        assertEquals(List.of(new ArgumentBinding("repo_path", FILE_WRITE)), args("git_commit"));
        assertEquals(List.of(new ArgumentBinding("url", URL)), args("fetch"));
        for (String shell : List.of("run_command", "execute_command", "shell", "bash")) {
            assertTrue(args(shell).contains(new ArgumentBinding("cmd", COMMAND)), shell);
        }
    }

    @Test
    void knowsCursorGeminiCodexAndCopilotToolsUnderTheirOwnArgumentNames() {
        assertTrue(args("read_file").contains(new ArgumentBinding("target_file", FILE_READ)), "Cursor");
        assertTrue(args("read_file").contains(new ArgumentBinding("absolute_path", FILE_READ)), "Gemini CLI");
        assertTrue(args("write_file").contains(new ArgumentBinding("file_path", FILE_WRITE)), "Gemini CLI");
        assertTrue(args("run_terminal_cmd").contains(new ArgumentBinding("command", COMMAND)), "Cursor");
        assertTrue(args("delete_file").contains(new ArgumentBinding("target_file", FILE_WRITE)), "Cursor");
        assertTrue(args("search_file_content").contains(new ArgumentBinding("path", ArgumentKind.TREE_READ)), "Gemini CLI");
        assertTrue(args("apply_patch").contains(new ArgumentBinding("input", ArgumentKind.PATCH)), "Codex");
        assertTrue(args("shell").contains(new ArgumentBinding("workdir", FILE_READ)), "Codex");
        assertTrue(args("create").contains(new ArgumentBinding("path", FILE_WRITE)), "Copilot CLI");
        assertTrue(args("view").contains(new ArgumentBinding("path", FILE_READ)), "Copilot CLI");
    }

    @Test
    void declaresTheMemoryAndEverythingServersToolsAsTouchingNothing() {
        for (String none : List.of("create_relations", "create_entities", "add_observations", "read_graph", "search_nodes", "echo", "add")) {
            assertTrue(table.lookup(none).isPresent() && args(none).isEmpty(), none);
        }
    }

    @Test
    void looksUpGeminiCliMcpNamesWithOneUnderscore() {
        assertEquals(args("write_file"), table.lookup("mcp_filesystem_write_file").orElseThrow().arguments());
        assertEquals(args("create_relations"), table.lookup("mcp_my_memory_create_relations").orElseThrow().arguments());
    }

    @Test
    void looksNamesUpCaseInsensitivelyAndThroughClaudeCodeMcpPrefixes() {
        assertTrue(table.lookup("READ_FILE").isPresent());
        assertTrue(table.lookup("mcp__filesystem__write_file").isPresent());
        assertFalse(table.lookup("mcp__x__unknown").isPresent());
        assertFalse(table.lookup("browser_navigate").isPresent());
    }

    @Test
    void policyEntriesAddToAndReplaceDefaults() {
        ToolTable t = table.extendedWith(List.of(ToolSpec.of("read_file"), ToolSpec.of("mine", "p", FILE_WRITE)));
        assertTrue(t.lookup("read_file").orElseThrow().arguments().isEmpty());
        assertEquals(FILE_WRITE, t.lookup("mine").orElseThrow().arguments().get(0).kind());
        assertFalse(table.lookup("mine").isPresent(), "the defaults are not changed");
    }
}
