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
                "Grep", new ArgumentBinding("path", FILE_READ),
                "WebFetch", new ArgumentBinding("url", URL));
        expected.forEach((tool, binding) -> assertEquals(List.of(binding), args(tool), tool));
        assertTrue(args("Bash").contains(new ArgumentBinding("command", COMMAND)));
        assertEquals(2, args("Glob").size());
        assertTrue(args("WebSearch").isEmpty());
    }

    @Test
    void knowsTheReferenceFilesystemGitFetchAndShellServers() {
        for (String read : List.of("read_file", "read_text_file", "list_directory", "directory_tree", "search_files", "get_file_info")) {
            assertEquals(List.of(new ArgumentBinding("path", FILE_READ)), args(read), read);
        }
        assertEquals(List.of(new ArgumentBinding("paths", FILE_READ)), args("read_multiple_files"));
        for (String write : List.of("write_file", "edit_file", "create_directory")) {
            assertEquals(List.of(new ArgumentBinding("path", FILE_WRITE)), args(write), write);
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
