package dev.agenttrace.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.cli.audit.CommitTrailers;
import dev.agenttrace.cli.audit.Toml;
import dev.agenttrace.rules.config.ConfigException;
import dev.agenttrace.store.TraceJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code agent-trace audit-tools}: the coding agents a repository and the user's home are set up
 * for, every MCP server their JSON configs declare with whether it runs through agent-trace, and
 * whether their hooks go through {@code agent-trace hook}. No network access; every config is
 * treated as hostile (size cap, no symbolic links, any JSON shape).
 */
@Command(name = "audit-tools", mixinStandardHelpOptions = true,
        description = {"Find the coding agents a repository and your home are set up for, the MCP servers their configs declare, "
                + "and whether each runs through agent-trace.",
                "Exit 0 all guarded, 1 a server unguarded, an unapproved agent or a config unreadable, 2 bad input."})
final class AuditToolsCommand implements Callable<Integer> {
    static final long MAX_BYTES = 1 << 20;
    static final String GUARDED = "guarded";
    static final String RECORDED = "recorded, not enforced";
    static final String UNGUARDED = "UNGUARDED";
    /** Agents' JSON configs may hold comments and trailing commas (VS Code's mcp.json is JSONC; Gemini's settings allow them). */
    private static final com.fasterxml.jackson.databind.ObjectMapper JSONC = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_TRAILING_COMMA).build();

    /**
     * Where each agent leaves a trace of being set up: relative to the repository, then to the
     * home; and the name prefixes of files it leaves in the repository's top directory.
     */
    record Agent(String name, List<String> repoMarkers, List<String> homeMarkers, List<String> repoPrefixes) {
        Agent(String name, List<String> repoMarkers, List<String> homeMarkers) {
            this(name, repoMarkers, homeMarkers, List.of());
        }
    }

    static final List<Agent> AGENTS = List.of(
            new Agent("claude-code", List.of("CLAUDE.md", ".claude", ".mcp.json"), List.of(".claude.json", ".claude")),
            new Agent("cursor", List.of(".cursor", ".cursorrules"), List.of(".cursor")),
            new Agent("copilot", List.of(".github/copilot-instructions.md", ".vscode/mcp.json"), List.of()),
            new Agent("gemini", List.of("GEMINI.md", ".gemini"), List.of(".gemini")),
            new Agent("codex", List.of("AGENTS.md", ".codex"), List.of(".codex")),
            new Agent("windsurf", List.of(".windsurfrules", ".windsurf"), List.of(".codeium/windsurf"), List.of(".windsurf")),
            new Agent("aider", List.of(".aider.conf.yml", ".aiderignore", ".aider.chat.history.md"),
                    List.of(".aider.conf.yml", ".aider.model.settings.yml"), List.of(".aider")));

    /** Entries of the repository's top directory looked at for {@link Agent#repoPrefixes}: a bound for a hostile tree. */
    static final int MAX_TOP_ENTRIES = 10_000;

    /** A TOML MCP config (Codex): which agent reads it, where, and the table its servers are in. */
    record TomlConfig(String agent, boolean inHome, String path, String table) {
    }

    static final List<TomlConfig> TOML_CONFIGS = List.of(
            new TomlConfig("codex", false, ".codex/config.toml", "mcp_servers"),
            new TomlConfig("codex", true, ".codex/config.toml", "mcp_servers"));

    /** A JSON MCP config: which agent reads it, where, and under which key its servers are. */
    record McpConfig(String agent, boolean inHome, String path, String key) {
    }

    static final List<McpConfig> MCP_CONFIGS = List.of(
            new McpConfig("claude-code", false, ".mcp.json", "mcpServers"),
            new McpConfig("claude-code", true, ".claude.json", "mcpServers"),
            new McpConfig("cursor", false, ".cursor/mcp.json", "mcpServers"),
            new McpConfig("cursor", true, ".cursor/mcp.json", "mcpServers"),
            new McpConfig("copilot", false, ".vscode/mcp.json", "servers"),
            new McpConfig("gemini", false, ".gemini/settings.json", "mcpServers"),
            new McpConfig("gemini", true, ".gemini/settings.json", "mcpServers"),
            new McpConfig("windsurf", true, ".codeium/windsurf/mcp_config.json", "mcpServers"));

    /** Configs that may hold an agent's hooks. */
    static final Map<String, List<String>> HOOK_CONFIGS = Map.of(
            "claude-code", List.of(".claude/settings.json", ".claude/settings.local.json"),
            "cursor", List.of(".cursor/hooks.json"),
            "gemini", List.of(".gemini/settings.json"),
            "codex", List.of(".codex/hooks.json"));

    @Option(names = "--repo", paramLabel = "DIR", description = "Repository to audit (default: the working directory).")
    Path repo = Path.of("");

    @Option(names = "--home", paramLabel = "DIR", description = "Home directory whose agent configs are audited too (default: yours).")
    Path home = Path.of(System.getProperty("user.home"));

    @Option(names = "--approved", split = ",", paramLabel = "AGENT",
            description = "Agents the team approves (claude-code, cursor, copilot, gemini, codex, windsurf, aider); any other found is flagged.")
    List<String> approved;

    @Option(names = "--record-http-port", split = ",", paramLabel = "PORT",
            description = "Local ports where record-http listens (default: 3100); a server URL on one of them counts as recorded.")
    List<Integer> recordHttpPorts = List.of(3100);

    @Option(names = "--commits", paramLabel = "N", defaultValue = "" + CommitTrailers.DEFAULT_COMMITS,
            description = "Commits of the repository's history whose trailers and authors name agents (default: ${DEFAULT-VALUE}; 0: none). "
                    + "Read with the local git, only when DIR holds .git.")
    int commits;

    @Option(names = "--json", description = "Print JSON: {\"agents\":[...],\"servers\":[...],\"errors\":[...],\"notes\":[...],\"unguarded\":N}.")
    boolean json;

    @Spec
    CommandSpec spec;

    private final List<String> errors = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (approved != null) {
            for (String a : approved) {
                if (AGENTS.stream().noneMatch(x -> x.name().equals(a))) {
                    throw new UserError("--approved " + a + ": not an agent this audit knows; use one of "
                            + String.join(", ", AGENTS.stream().map(Agent::name).toList()));
                }
            }
        }
        if (commits < 0) {
            throw new UserError("--commits " + commits + ": give a number of commits, 0 or more");
        }
        ObjectNode report = TraceJson.mapper().createObjectNode();
        ArrayNode agents = report.putArray("agents");
        ArrayNode servers = report.putArray("servers");
        int unguarded = 0;
        Map<String, Set<String>> found = new LinkedHashMap<>();
        for (Agent a : AGENTS) {
            for (String m : a.repoMarkers()) {
                if (Files.exists(repo.resolve(m), LinkOption.NOFOLLOW_LINKS)) {
                    found.computeIfAbsent(a.name(), k -> new LinkedHashSet<>()).add(repo.resolve(m).toString());
                }
            }
            for (String m : a.homeMarkers()) {
                if (Files.exists(home.resolve(m), LinkOption.NOFOLLOW_LINKS)) {
                    found.computeIfAbsent(a.name(), k -> new LinkedHashSet<>()).add(home.resolve(m).toString());
                }
            }
        }
        for (Path p : topEntries(repo)) {
            String name = p.getFileName().toString();
            for (Agent a : AGENTS) {
                if (a.repoPrefixes().stream().anyMatch(name::startsWith)) {
                    found.computeIfAbsent(a.name(), k -> new LinkedHashSet<>()).add(p.toString());
                }
            }
        }
        if (commits > 0) {
            CommitTrailers.Result history = CommitTrailers.read(repo, commits);
            if (history.problem() != null) {
                notes.add(repo + ": " + history.problem());
            }
            for (CommitTrailers.Found f : history.found()) {
                found.computeIfAbsent(f.agent(), k -> new LinkedHashSet<>()).add("git log: " + f.commits() + " of the last "
                        + history.read() + " commits (" + f.example() + ")");
            }
        }
        for (McpConfig c : MCP_CONFIGS) {
            Path file = (c.inHome() ? home : repo).resolve(c.path());
            JsonNode root = read(file);
            if (root == null) {
                continue;
            }
            found.computeIfAbsent(c.agent(), k -> new LinkedHashSet<>()).add(file.toString());
            List<JsonNode> blocks = new ArrayList<>();
            blocks.add(root.get(c.key()));
            if (c.path().equals(".claude.json") && root.get("projects") instanceof ObjectNode projects) {
                // ~/.claude.json keeps per-project servers under projects.<absolute path>.mcpServers
                projects.forEach(p -> blocks.add(p.get("mcpServers")));
            }
            for (JsonNode decl : blocks) {
                unguarded += servers(servers, c.agent(), file, c.key(), decl);
            }
        }
        for (TomlConfig c : TOML_CONFIGS) {
            Path file = (c.inHome() ? home : repo).resolve(c.path());
            Map<String, Object> root = readToml(file);
            if (root == null) {
                continue;
            }
            found.computeIfAbsent(c.agent(), k -> new LinkedHashSet<>()).add(file.toString());
            Object decl = root.get(c.table());
            if (decl != null) {
                unguarded += servers(servers, c.agent(), file, "[" + c.table() + "]", TraceJson.mapper().valueToTree(decl));
            }
        }
        int unapproved = 0;
        for (Map.Entry<String, Set<String>> e : found.entrySet()) {
            ObjectNode a = agents.addObject();
            a.put("agent", e.getKey());
            ArrayNode files = a.putArray("found_in");
            e.getValue().forEach(files::add);
            List<String> hookFiles = HOOK_CONFIGS.get(e.getKey());
            if (hookFiles != null) {
                boolean hooked = false;
                for (String h : hookFiles) {
                    hooked |= hooksThroughAgentTrace(repo.resolve(h)) || hooksThroughAgentTrace(home.resolve(h));
                }
                a.put("hooks_through_agent_trace", hooked);
            }
            boolean ok = approved == null || approved.contains(e.getKey());
            a.put("approved", ok);
            if (!ok) {
                unapproved++;
            }
        }
        ArrayNode errs = report.putArray("errors");
        errors.forEach(errs::add);
        ArrayNode ns = report.putArray("notes");
        notes.forEach(ns::add);
        report.put("unguarded", unguarded);
        report.put("unapproved", unapproved);
        if (json) {
            out.println(report.toString());
        } else {
            print(out, agents, servers);
        }
        return !errors.isEmpty() ? ExitCodes.FAILURE : unguarded > 0 || unapproved > 0 ? ExitCodes.FOUND : ExitCodes.OK;
    }

    private void print(PrintWriter out, ArrayNode agents, ArrayNode servers) {
        if (agents.isEmpty()) {
            out.println("no coding agent is set up in " + repo.toAbsolutePath().normalize() + " or " + home);
        }
        for (JsonNode a : agents) {
            String agent = a.get("agent").asText();
            StringBuilder line = new StringBuilder(agent);
            if (!a.get("approved").asBoolean()) {
                line.append("  NOT APPROVED");
            }
            if (a.has("hooks_through_agent_trace")) {
                line.append(a.get("hooks_through_agent_trace").asBoolean() ? "  hooks: agent-trace" : "  hooks: not through agent-trace");
            }
            out.println(line);
            a.get("found_in").forEach(f -> out.println("  found in " + text(f.asText())));
            for (JsonNode s : servers) {
                if (s.get("agent").asText().equals(agent)) {
                    out.println("  server " + text(s.get("name").asText()) + ": " + s.get("status").asText() + "  (" + text(s.get("file").asText()) + ")");
                }
            }
        }
        for (String e : errors) {
            out.println("error: " + text(e));
        }
        for (String n : notes) {
            out.println("note: " + text(n));
        }
    }

    /** Server names and paths come from the repository, which may be hostile: no escape sequence reaches the terminal. */
    private static String text(String s) {
        return s.replaceAll("\\p{Cntrl}", "?");
    }

    /** Adds each server of one declaration block ({@code mcpServers}, {@code [mcp_servers]}); returns how many are not guarded. */
    private int servers(ArrayNode servers, String agent, Path file, String key, JsonNode decl) {
        if (decl == null) {
            return 0;
        }
        if (!decl.isObject()) {
            errors.add(file + ": \"" + key + "\" is not " + (key.startsWith("[") ? "a table" : "an object") + "; its servers cannot be audited");
            return 0;
        }
        int unguarded = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = decl.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String status = status(e.getValue(), repo, recordHttpPorts);
            if (!status.equals(GUARDED)) {
                unguarded++;
            }
            ObjectNode s = servers.addObject();
            s.put("agent", agent);
            s.put("file", file.toString());
            s.put("name", e.getKey());
            s.put("status", status);
        }
        return unguarded;
    }

    /** The top directory's entries, at most {@link #MAX_TOP_ENTRIES}; none when it cannot be listed. */
    private static List<Path> topEntries(Path dir) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (out.size() >= MAX_TOP_ENTRIES) {
                    break;
                }
                out.add(p);
            }
        } catch (IOException | RuntimeException e) {
            // an unlistable directory: the named markers above still count
        }
        out.sort(null);
        return out;
    }

    /** The parsed TOML config, or null when absent or unreadable (then an error says where and why). */
    private Map<String, Object> readToml(Path file) {
        String text = readText(file);
        if (text == null) {
            return null;
        }
        try {
            return Toml.parse(file.toString(), text);
        } catch (ConfigException e) {
            errors.add(e.getMessage());
            return null;
        }
    }

    /** The text of a config: null when absent, or when a link, oversized or unreadable (then an error says so). */
    private String readText(Path file) {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            if (Files.isSymbolicLink(file)) {
                errors.add(file + ": a symbolic link; not followed, so not audited");
                return null;
            }
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) > MAX_BYTES) {
                errors.add(file + ": not a regular file of at most 1 MiB; not audited");
                return null;
            }
            return Files.readString(file);
        } catch (IOException | RuntimeException e) {
            errors.add(file + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse("unreadable"));
            return null;
        }
    }

    /** The parsed JSON config, or null when absent or unreadable (then an error says why). */
    private JsonNode read(Path file) {
        String text = readText(file);
        if (text == null) {
            return null;
        }
        try {
            JsonNode root = JSONC.readTree(text);
            if (root == null || !root.isObject()) {
                errors.add(file + ": not a JSON object; not audited");
                return null;
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr();
            errors.add(file + where + ": " + e.getOriginalMessage().lines().findFirst().orElse("not JSON"));
        } catch (RuntimeException e) {
            errors.add(file + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse("unreadable"));
        }
        return null;
    }

    private boolean hooksThroughAgentTrace(Path file) {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try {
            if (Files.size(file) > MAX_BYTES) {
                return false;
            }
            // setup writes "<launcher> hook <agent> ..." into the agent's hooks
            return Files.readString(file).matches("(?s).*agent-trace(\\.cmd)?\"?\\s+hook\\b.*");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * {@link #GUARDED}, {@link #RECORDED} or {@link #UNGUARDED} for one server declaration. Only
     * agent-trace's own options count (those before {@code --}): what the server is given does not.
     */
    static String status(JsonNode server, Path repo, List<Integer> recordHttpPorts) {
        if (server == null || !server.isObject()) {
            return UNGUARDED;
        }
        for (String key : List.of("url", "httpUrl", "serverUrl")) {
            JsonNode url = server.get(key);
            if (url != null && url.isTextual()) {
                return throughRecordHttp(url.asText(), recordHttpPorts) ? RECORDED : UNGUARDED;
            }
        }
        JsonNode command = server.get("command");
        JsonNode args = server.get("args");
        if (command == null || !command.isTextual() || args == null || !args.isArray() || args.isEmpty()) {
            return UNGUARDED;
        }
        List<String> argv = new ArrayList<>();
        for (JsonNode a : args) {
            if (!a.isTextual()) {
                return UNGUARDED;
            }
            argv.add(a.asText());
        }
        int first = launcherArgs(command.asText(), argv);
        if (first < 0 || first >= argv.size() || !argv.get(first).equals("record")) {
            return UNGUARDED;
        }
        boolean policy = false;
        boolean shadow = false;
        for (int i = first + 1; i < argv.size() && !argv.get(i).equals("--"); i++) {
            String a = argv.get(i);
            if (a.equals("--policy") || a.startsWith("--policy=")) {
                policy = true;
            } else if (a.equals("--policy-mode") && i + 1 < argv.size()) {
                shadow |= !argv.get(i + 1).toLowerCase(Locale.ROOT).equals("enforce");
            } else if (a.startsWith("--policy-mode=")) {
                shadow |= !a.substring("--policy-mode=".length()).toLowerCase(Locale.ROOT).equals("enforce");
            }
        }
        // record reads .agent-scope.json of the directory it starts in when --policy is not given
        policy |= Files.isRegularFile(repo.resolve(PolicyOptions.DEFAULT_FILE));
        return policy && !shadow ? GUARDED : RECORDED;
    }

    /** Where agent-trace's own arguments start: after the launcher, or after {@code java ... dev.agenttrace.cli.Main}; -1 if not agent-trace. */
    private static int launcherArgs(String command, List<String> argv) {
        Path p = Path.of(command.replace('\\', '/'));
        String name = p.getFileName() == null ? "" : p.getFileName().toString();
        if (name.equals("agent-trace") || name.equals("agent-trace.cmd")) {
            return 0;
        }
        if (name.equals("java") || name.equals("java.exe")) {
            int main = argv.indexOf("dev.agenttrace.cli.Main");
            return main < 0 ? -1 : main + 1;
        }
        return -1;
    }

    private static boolean throughRecordHttp(String url, List<Integer> ports) {
        try {
            URI u = new URI(url);
            String host = u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
            boolean local = host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]") || host.equals("::1");
            return local && ports.contains(u.getPort());
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }
}
