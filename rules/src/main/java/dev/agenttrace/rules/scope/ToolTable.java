package dev.agenttrace.rules.scope;

import static dev.agenttrace.rules.scope.ArgumentKind.CODE;
import static dev.agenttrace.rules.scope.ArgumentKind.COMMAND;
import static dev.agenttrace.rules.scope.ArgumentKind.FILE_READ;
import static dev.agenttrace.rules.scope.ArgumentKind.FILE_WRITE;
import static dev.agenttrace.rules.scope.ArgumentKind.PATCH;
import static dev.agenttrace.rules.scope.ArgumentKind.TREE_READ;
import static dev.agenttrace.rules.scope.ArgumentKind.URL;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which tools and arguments mean a file read, a file write, a command or a URL.
 *
 * <p>Defaults (names matched case-insensitively; Claude Code's {@code mcp__server__tool} names are
 * also looked up as {@code tool}):
 * <table>
 *   <caption>default tool table</caption>
 *   <tr><th>source</th><th>tool</th><th>arguments</th></tr>
 *   <tr><td>Claude Code</td><td>Read, NotebookRead, LS</td><td>file_path / notebook_path / path: read</td></tr>
 *   <tr><td></td><td>Write, Edit, MultiEdit, NotebookEdit</td><td>file_path / notebook_path: write</td></tr>
 *   <tr><td></td><td>Grep</td><td>path: read (its pattern is a regex, not a path)</td></tr>
 *   <tr><td></td><td>Glob</td><td>path, pattern: read</td></tr>
 *   <tr><td></td><td>Bash</td><td>command: command</td></tr>
 *   <tr><td></td><td>WebFetch</td><td>url: url</td></tr>
 *   <tr><td></td><td>WebSearch, Task, TodoWrite, BashOutput, KillShell, ExitPlanMode</td><td>none: WebSearch
 *       queries run at the model provider with no host the agent picks; the others touch nothing</td></tr>
 *   <tr><td>filesystem server</td><td>read_file, read_text_file, read_media_file, list_directory,
 *       list_directory_with_sizes, directory_tree, search_files, get_file_info</td><td>path: read</td></tr>
 *   <tr><td></td><td>read_multiple_files</td><td>paths[]: read</td></tr>
 *   <tr><td></td><td>write_file, edit_file, create_directory</td><td>path: write</td></tr>
 *   <tr><td></td><td>move_file</td><td>source: read and write (it disappears); destination: write</td></tr>
 *   <tr><td></td><td>list_allowed_directories</td><td>none</td></tr>
 *   <tr><td>git server</td><td>git_status, git_diff*, git_log, git_show, git_branch</td><td>repo_path: read</td></tr>
 *   <tr><td></td><td>git_add, git_commit, git_reset, git_checkout, git_create_branch, git_init</td><td>repo_path: write</td></tr>
 *   <tr><td>fetch server</td><td>fetch</td><td>url: url</td></tr>
 *   <tr><td>shell tools</td><td>run_command, execute_command, run_shell_command, shell, bash, exec, terminal</td><td>command, cmd: command</td></tr>
 * </table>
 * A policy's {@code tools} section adds entries and replaces a default of the same name. A tool
 * not in the table is judged heuristically (see {@link ScopeEvaluator}).
 */
public final class ToolTable {
    private static final ToolTable DEFAULTS = buildDefaults();

    private final Map<String, ToolSpec> byName;

    private ToolTable(Map<String, ToolSpec> byName) {
        this.byName = Collections.unmodifiableMap(byName);
    }

    public static ToolTable defaults() {
        return DEFAULTS;
    }

    /** This table with the given entries added; an entry replaces a default of the same name. */
    public ToolTable extendedWith(Collection<ToolSpec> specs) {
        if (specs.isEmpty()) {
            return this;
        }
        Map<String, ToolSpec> copy = new LinkedHashMap<>(byName);
        for (ToolSpec s : specs) {
            copy.put(key(s.name()), s);
        }
        return new ToolTable(copy);
    }

    /** The entry for a tool name as a client sends it. */
    public Optional<ToolSpec> lookup(String toolName) {
        if (toolName == null) {
            return Optional.empty();
        }
        ToolSpec spec = byName.get(key(toolName));
        if (spec == null && toolName.startsWith("mcp__")) {
            int cut = toolName.indexOf("__", 5);
            if (cut > 0) {
                spec = byName.get(key(toolName.substring(cut + 2)));
            }
        }
        if (spec == null && toolName.startsWith("mcp_") && !toolName.startsWith("mcp__")) {
            // Gemini CLI: mcp_<server>_<tool>, where either part may hold '_': the longest known tool wins
            for (int cut = toolName.indexOf('_', 4); cut > 0 && spec == null; cut = toolName.indexOf('_', cut + 1)) {
                spec = byName.get(key(toolName.substring(cut + 1)));
            }
        }
        return Optional.ofNullable(spec);
    }

    public Collection<ToolSpec> entries() {
        return byName.values();
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private static ToolTable buildDefaults() {
        Map<String, ToolSpec> m = new LinkedHashMap<>();
        // Claude Code (and GitHub Copilot CLI's view/create/edit/grep/glob/bash, which use "path")
        put(m, ToolSpec.of("Read", "file_path", FILE_READ, "path", FILE_READ));
        put(m, ToolSpec.of("view", "path", FILE_READ, "file_path", FILE_READ));
        put(m, ToolSpec.of("NotebookRead", "notebook_path", FILE_READ));
        put(m, ToolSpec.of("LS", "path", FILE_READ));
        put(m, ToolSpec.of("Write", "file_path", FILE_WRITE, "path", FILE_WRITE));
        put(m, ToolSpec.of("create", "path", FILE_WRITE, "file_path", FILE_WRITE));
        put(m, ToolSpec.of("Edit", "file_path", FILE_WRITE, "path", FILE_WRITE));
        put(m, ToolSpec.of("MultiEdit", "file_path", FILE_WRITE));
        put(m, ToolSpec.of("NotebookEdit", "notebook_path", FILE_WRITE));
        put(m, ToolSpec.of("Grep", "path", TREE_READ));
        put(m, ToolSpec.of("Glob", "path", FILE_READ, "pattern", FILE_READ));
        put(m, ToolSpec.of("Bash", "command", COMMAND));
        put(m, ToolSpec.of("PowerShell", "command", CODE));
        put(m, ToolSpec.of("WebFetch", "url", URL));
        put(m, ToolSpec.of("web_fetch", "url", URL, "prompt", URL));
        for (String none : new String[] {"WebSearch", "Task", "Agent", "TodoWrite", "BashOutput", "KillShell", "KillBash", "ExitPlanMode",
                "AskUserQuestion", "ask_user", "SlashCommand", "Skill", "ListMcpResourcesTool", "ReadMcpResourceTool"}) {
            put(m, ToolSpec.of(none));
        }
        // Cursor
        put(m, ToolSpec.of("read_file", "path", FILE_READ, "target_file", FILE_READ, "absolute_path", FILE_READ, "file_path", FILE_READ));
        put(m, ToolSpec.of("edit_file", "path", FILE_WRITE, "target_file", FILE_WRITE, "file_path", FILE_WRITE));
        put(m, ToolSpec.of("search_replace", "file_path", FILE_WRITE, "path", FILE_WRITE));
        put(m, ToolSpec.of("delete_file", "target_file", FILE_WRITE, "path", FILE_WRITE, "file_path", FILE_WRITE));
        put(m, ToolSpec.of("run_terminal_cmd", "command", COMMAND));
        put(m, ToolSpec.of("list_dir", "relative_workspace_path", FILE_READ, "target_directory", FILE_READ, "path", FILE_READ));
        put(m, ToolSpec.of("grep_search", "path", TREE_READ));
        put(m, ToolSpec.of("codebase_search", "target_directories", TREE_READ));
        for (String none : new String[] {"file_search", "web_search", "todo_write", "update_memory", "create_diagram", "fetch_pull_request"}) {
            put(m, ToolSpec.of(none));
        }
        // Gemini CLI
        put(m, ToolSpec.of("write_file", "path", FILE_WRITE, "file_path", FILE_WRITE));
        put(m, ToolSpec.of("replace", "file_path", FILE_WRITE, "path", FILE_WRITE));
        put(m, ToolSpec.of("glob", "path", FILE_READ, "pattern", FILE_READ));
        put(m, ToolSpec.of("search_file_content", "path", TREE_READ));
        put(m, ToolSpec.of("read_many_files", "paths", FILE_READ));
        put(m, ToolSpec.of("run_shell_command", "command", COMMAND, "cmd", COMMAND, "directory", FILE_READ));
        for (String none : new String[] {"google_web_search", "save_memory"}) {
            put(m, ToolSpec.of(none));
        }
        // Codex (shell's command is an argv array; apply_patch's patch names the files it writes)
        put(m, ToolSpec.of("shell", "command", COMMAND, "cmd", COMMAND, "workdir", FILE_READ));
        put(m, ToolSpec.of("local_shell", "command", COMMAND, "workdir", FILE_READ));
        put(m, ToolSpec.of("exec_command", "cmd", COMMAND, "command", COMMAND, "workdir", FILE_READ));
        put(m, ToolSpec.of("write_stdin", "chars", CODE));
        put(m, ToolSpec.of("apply_patch", "input", PATCH, "patch", PATCH, "command", PATCH));
        put(m, ToolSpec.of("view_image", "path", FILE_READ));
        put(m, ToolSpec.of("update_plan"));
        // @modelcontextprotocol/server-filesystem
        for (String read : new String[] {"read_text_file", "read_media_file", "list_directory",
                "list_directory_with_sizes", "directory_tree", "search_files", "get_file_info"}) {
            put(m, ToolSpec.of(read, "path", FILE_READ));
        }
        put(m, ToolSpec.of("read_multiple_files", "paths", FILE_READ));
        put(m, ToolSpec.of("create_directory", "path", FILE_WRITE));
        put(m, ToolSpec.of("move_file", "source", FILE_READ, "source", FILE_WRITE, "destination", FILE_WRITE));
        put(m, ToolSpec.of("list_allowed_directories"));
        // mcp-server-git
        for (String read : new String[] {"git_status", "git_diff_unstaged", "git_diff_staged", "git_diff", "git_log",
                "git_show", "git_branch"}) {
            put(m, ToolSpec.of(read, "repo_path", FILE_READ));
        }
        for (String write : new String[] {"git_commit", "git_reset", "git_checkout", "git_create_branch", "git_init"}) {
            put(m, ToolSpec.of(write, "repo_path", FILE_WRITE));
        }
        put(m, ToolSpec.of("git_add", "repo_path", FILE_WRITE, "files", FILE_READ));
        // mcp-server-fetch
        put(m, ToolSpec.of("fetch", "url", URL));
        // @modelcontextprotocol/server-memory: entities and relations live in the server's own graph file
        for (String none : new String[] {"create_entities", "create_relations", "add_observations", "delete_entities",
                "delete_observations", "delete_relations", "read_graph", "search_nodes", "open_nodes"}) {
            put(m, ToolSpec.of(none));
        }
        // @modelcontextprotocol/server-everything
        for (String none : new String[] {"echo", "add", "longRunningOperation", "printEnv", "sampleLLM", "getTinyImage",
                "annotatedMessage", "getResourceReference", "getResourceLinks", "startElicitation", "structuredContent",
                "listRoots", "get-sum", "get-env", "get-tiny-image", "trigger-long-running-operation", "toggle-logging",
                "toggle-subscriber-updates", "get-annotated-message", "get-resource-links", "get-resource-reference",
                "get-structured-content", "trigger-sampling-request", "trigger-elicitation-request", "get-roots-list", "zip-resources"}) {
            put(m, ToolSpec.of(none));
        }
        // shell servers (also Copilot CLI's bash, Codex's shell above)
        for (String shell : new String[] {"run_command", "execute_command", "bash", "exec", "terminal"}) {
            put(m, ToolSpec.of(shell, "command", COMMAND, "cmd", COMMAND));
        }
        put(m, ToolSpec.of("powershell", "command", CODE));
        return new ToolTable(m);
    }

    private static void put(Map<String, ToolSpec> m, ToolSpec spec) {
        m.put(key(spec.name()), spec);
    }
}
