package dev.agenttrace.hooks.setup;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code agent-trace wrap} / {@code unwrap}: runs every stdio MCP server of an agent's configuration
 * through {@code agent-trace record --name NAME ... -- <the original command and args>}, and back.
 *
 * <p>Only the values of a server's {@code command} and {@code args} are rewritten, by splicing text
 * (every other key, the rest of the file and its formatting stay byte for byte; an {@code args}
 * member is inserted right after {@code command} when the server had none). A backup beside the file
 * ({@value #BACKUP_SUFFIX}) keeps the file's original bytes and each wrapped server's original
 * {@code command}/{@code args} text. {@code unwrap} puts back the original bytes when the file is
 * as wrap left it; when the agent or the user changed it since (Claude Code rewrites
 * {@code ~/.claude.json} all the time), it unwraps server by server: the original command is what
 * follows {@code --} in the wrapped args, and the backup's text of it is used when it still matches.
 * Remote servers ({@code url}, {@code httpUrl}, {@code serverUrl}) are left alone: fronting one
 * takes a running {@code record-http} per upstream, which the caller is told how to start.
 */
public final class McpServerWrap {
    public static final String BACKUP_SUFFIX = ".agent-trace-wrap-backup.json";
    private static final JsonFactory FACTORY = JsonFactory.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA).build();
    private static final ObjectMapper LENIENT = JsonMapper.builder(FACTORY).build();
    /** Deep enough for {@code projects.<dir>.mcpServers.<name>.command} of {@code ~/.claude.json}. */
    private static final int SCAN_DEPTH = 5;

    /**
     * One configuration file and where its servers are in it.
     *
     * @param keys          the top-level members holding servers ({@code mcpServers}, VS Code's {@code servers})
     * @param claudeProject ~/.claude.json's {@code projects.<dir>.mcpServers}: null (none), {@code "*"} (every project) or the dir
     */
    public record Target(String agent, Path file, List<String> keys, String claudeProject) {
    }

    /**
     * How wrapped servers run agent-trace.
     *
     * @param command  the launcher ({@code agent-trace}, or a path)
     * @param extra    options for {@code record} before {@code --} ({@code --policy F}, {@code --watch F}, ...)
     */
    public record Options(String command, List<String> extra) {
    }

    /** What happened to one server. */
    public enum Kind { WRAPPED, ALREADY_WRAPPED, UNWRAPPED, NOT_WRAPPED, REMOTE, SKIPPED }

    /**
     * @param block  where it is declared ({@code mcpServers}, {@code projects["/p"].mcpServers})
     * @param before its command line (or URL) before
     * @param after  its command line after (null when unchanged)
     */
    public record Server(String block, String name, Kind kind, List<String> before, List<String> after, String url, String note) {
    }

    /**
     * What wrap or unwrap does (or would do) to one file.
     *
     * @param after the new bytes; equal to before when nothing changes
     * @param diff  the changed lines, {@code -}/{@code +}, with their line numbers
     * @param exact unwrap puts back the bytes the file had before wrap
     */
    public record Change(Path file, byte[] before, byte[] after, List<Server> servers, List<String> diff, ObjectNode backup,
                         boolean deleteBackup, boolean exact) {
        public boolean changed() {
            return !java.util.Arrays.equals(before, after);
        }
    }

    /** A configuration that is not JSON, or not the shape agent-trace can rewrite: nothing is written. */
    public static final class ConfigError extends IOException {
        private static final long serialVersionUID = 1L;

        public ConfigError(String message) {
            super(message);
        }
    }

    private record Span(int nameStart, int start, int end) {
    }

    private record Edit(int start, int end, String text) {
    }

    private record Parsed(String text, JsonNode root, Map<List<String>, Span> spans) {
    }

    private McpServerWrap() {
    }

    /** The agents whose MCP configs wrap knows. */
    public static final List<String> AGENTS = List.of("claude-code", "cursor", "vscode", "windsurf", "gemini");

    /**
     * The MCP configs of an agent (null: every agent) for a scope. Claude Code's project scope is
     * {@code .mcp.json} and this project's servers in {@code ~/.claude.json}; its user scope is the
     * whole of {@code ~/.claude.json}. Windsurf has only the user file, VS Code only the project one.
     */
    public static List<Target> targets(String agent, boolean user, Path project, Path home) {
        List<Target> out = new ArrayList<>();
        List<String> ms = List.of("mcpServers");
        for (String a : agent == null ? AGENTS : List.of(agent)) {
            switch (a) {
                case "claude-code" -> {
                    if (user) {
                        out.add(new Target(a, home.resolve(".claude.json"), ms, "*"));
                    } else {
                        out.add(new Target(a, project.resolve(".mcp.json"), ms, null));
                        out.add(new Target(a, home.resolve(".claude.json"), List.of(), project.toString()));
                    }
                }
                case "cursor" -> out.add(new Target(a, (user ? home : project).resolve(".cursor/mcp.json"), ms, null));
                case "vscode" -> {
                    if (!user) {
                        out.add(new Target(a, project.resolve(".vscode/mcp.json"), List.of("servers"), null));
                    } else if (agent != null) {
                        throw new IllegalArgumentException("VS Code's user MCP servers live in its profile's mcp.json: name it with --file");
                    }
                }
                case "windsurf" -> out.add(new Target(a, home.resolve(".codeium/windsurf/mcp_config.json"), ms, null));
                case "gemini" -> out.add(new Target(a, (user ? home : project).resolve(".gemini/settings.json"), ms, null));
                default -> throw new IllegalArgumentException("'" + a + "' is not an agent whose MCP servers wrap knows: use one of "
                        + String.join(", ", AGENTS) + " (copilot: vscode), or --file");
            }
        }
        return out;
    }

    /** Any file: its {@code mcpServers} and {@code servers}, and the per-project servers of a {@code ~/.claude.json}. */
    public static Target file(Path file) {
        return new Target("file", file, List.of("mcpServers", "servers"), "*");
    }

    /** The agent name for a command-line word (copilot and code are VS Code), or null. */
    public static String agent(String s) {
        String k = s.toLowerCase(Locale.ROOT);
        return switch (k) {
            case "claude-code", "claude", "claudecode" -> "claude-code";
            case "cursor" -> "cursor";
            case "vscode", "vs-code", "code", "copilot" -> "vscode";
            case "windsurf" -> "windsurf";
            case "gemini", "gemini-cli" -> "gemini";
            default -> null;
        };
    }

    public static Path backupOf(Path file) {
        return file.resolveSibling(file.getFileName() + BACKUP_SUFFIX);
    }

    // ---------------------------------------------------------------- wrap

    public static Change wrap(Target t, Options o) throws IOException {
        byte[] bytes = Files.readAllBytes(t.file());
        Parsed p = parse(t.file(), bytes);
        List<Edit> edits = new ArrayList<>();
        List<Server> servers = new ArrayList<>();
        ArrayNode records = LENIENT.createArrayNode();
        for (List<String> block : blocks(t, p.root())) {
            JsonNode decl = at(p.root(), block);
            for (Iterator<Map.Entry<String, JsonNode>> it = decl.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                JsonNode s = e.getValue();
                List<String> sp = append(block, name);
                String where = describe(block);
                String url = remoteUrl(s);
                if (url != null) {
                    servers.add(new Server(where, name, Kind.REMOTE, null, null, url, null));
                    continue;
                }
                List<String> argv = argv(s);
                if (argv == null) {
                    servers.add(new Server(where, name, Kind.SKIPPED, null, null, null,
                            "no \"command\" string with an \"args\" list of strings; left alone"));
                    continue;
                }
                if (recordAt(argv, o.command()) >= 0) {
                    servers.add(new Server(where, name, Kind.ALREADY_WRAPPED, argv, null, null, null));
                    continue;
                }
                List<String> args = new ArrayList<>(List.of("record", "--name", name));
                args.addAll(o.extra());
                args.add("--");
                args.addAll(argv);
                Span cmd = p.spans().get(append(sp, "command"));
                Span arr = p.spans().get(append(sp, "args"));
                edits.add(new Edit(cmd.start(), cmd.end(), json(o.command())));
                if (arr != null) {
                    edits.add(new Edit(arr.start(), arr.end(), array(args)));
                } else {
                    edits.add(new Edit(cmd.end(), cmd.end(), ", \"args\": " + array(args)));
                }
                ObjectNode r = records.addObject();
                block.forEach(r.putArray("block")::add);
                r.put("name", name);
                r.put("command", p.text().substring(cmd.start(), cmd.end()));
                if (arr != null) {
                    r.put("args", p.text().substring(arr.start(), arr.end()));
                } else {
                    r.putNull("args");
                }
                List<String> after = new ArrayList<>();
                after.add(o.command());
                after.addAll(args);
                servers.add(new Server(where, name, Kind.WRAPPED, argv, after, null, null));
            }
        }
        if (edits.isEmpty()) {
            return new Change(t.file(), bytes, bytes, servers, List.of(), null, false, false);
        }
        String next = applyEdits(p.text(), edits);
        byte[] out = next.getBytes(StandardCharsets.UTF_8);
        Path backupFile = backupOf(t.file());
        ObjectNode b;
        if (Files.exists(backupFile)) {
            b = readBackup(backupFile);
            if (!HookConfigFile.sha256(bytes).equals(b.path("written_sha256").asText())) {
                // the file changed since the last wrap: its bytes then are no longer a faithful original
                b.putNull("original_base64");
            }
        } else {
            b = LENIENT.createObjectNode();
            b.put("file", t.file().toAbsolutePath().toString());
            b.put("original_base64", Base64.getEncoder().encodeToString(bytes));
            b.putArray("servers");
        }
        ArrayNode kept = servers(b);
        for (JsonNode r : records) {
            for (int i = kept.size() - 1; i >= 0; i--) {
                if (kept.get(i).path("block").equals(r.path("block")) && kept.get(i).path("name").equals(r.path("name"))) {
                    kept.remove(i);
                }
            }
            kept.add(r);
        }
        b.put("written_sha256", HookConfigFile.sha256(out));
        return new Change(t.file(), bytes, out, servers, diff(p.text(), edits), b, false, false);
    }

    // ---------------------------------------------------------------- unwrap

    public static Change unwrap(Target t, String command) throws IOException {
        byte[] bytes = Files.readAllBytes(t.file());
        Parsed p = parse(t.file(), bytes);
        Path backupFile = backupOf(t.file());
        ObjectNode b = Files.exists(backupFile) ? readBackup(backupFile) : null;
        List<List<String>> blocks = blocks(t, p.root());
        List<Edit> edits = new ArrayList<>();
        List<Server> servers = new ArrayList<>();
        for (List<String> block : blocks) {
            JsonNode decl = at(p.root(), block);
            for (Iterator<Map.Entry<String, JsonNode>> it = decl.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                List<String> sp = append(block, name);
                String where = describe(block);
                String url = remoteUrl(e.getValue());
                if (url != null) {
                    servers.add(new Server(where, name, Kind.REMOTE, null, null, url, null));
                    continue;
                }
                List<String> argv = argv(e.getValue());
                int sep = argv == null ? -1 : separator(argv, command);
                if (sep < 0 && argv != null && recordAt(argv, command) >= 0) {
                    servers.add(new Server(where, name, Kind.SKIPPED, argv, null, null,
                            "runs through agent-trace record without '--', so where its own command starts is unclear; unwrap it by hand"));
                    continue;
                }
                if (sep < 0) {
                    servers.add(new Server(where, name, Kind.NOT_WRAPPED, argv, null, null, null));
                    continue;
                }
                if (sep + 1 >= argv.size()) {
                    servers.add(new Server(where, name, Kind.SKIPPED, argv, null, null, "no server command after '--'; left alone"));
                    continue;
                }
                List<String> orig = argv.subList(sep + 1, argv.size());
                Span cmd = p.spans().get(append(sp, "command"));
                Span arr = p.spans().get(append(sp, "args"));
                JsonNode rec = record(b, block, name);
                String cmdText = json(orig.get(0));
                String argsText = array(orig.subList(1, orig.size()));
                boolean dropArgs = false;
                if (rec != null && matches(rec, orig)) {
                    cmdText = rec.get("command").asText();
                    dropArgs = rec.get("args").isNull();
                    argsText = dropArgs ? null : rec.get("args").asText();
                }
                edits.add(new Edit(cmd.start(), cmd.end(), cmdText));
                if (dropArgs) {
                    edits.add(removal(p.text(), arr));
                } else {
                    edits.add(new Edit(arr.start(), arr.end(), argsText));
                }
                servers.add(new Server(where, name, Kind.UNWRAPPED, argv, orig, null, null));
            }
        }
        if (edits.isEmpty()) {
            return new Change(t.file(), bytes, bytes, servers, List.of(), null, false, false);
        }
        String next = applyEdits(p.text(), edits);
        byte[] out = next.getBytes(StandardCharsets.UTF_8);
        boolean exact = false;
        ObjectNode nb = null;
        boolean deleteBackup = false;
        if (b != null) {
            JsonNode orig = b.get("original_base64");
            boolean unchanged = HookConfigFile.sha256(bytes).equals(b.path("written_sha256").asText());
            boolean covers = true;
            for (JsonNode r : b.path("servers")) {
                covers &= blocks.stream().anyMatch(bl -> LENIENT.valueToTree(bl).equals(r.path("block")));
            }
            if (orig != null && orig.isTextual() && unchanged && covers) {
                out = Base64.getDecoder().decode(orig.asText());
                exact = true;
                deleteBackup = true;
            } else {
                nb = b.deepCopy();
                ArrayNode left = servers(nb);
                for (int i = left.size() - 1; i >= 0; i--) {
                    JsonNode r = left.get(i);
                    boolean unwrapped = servers.stream().anyMatch(s -> s.kind() == Kind.UNWRAPPED && s.name().equals(r.path("name").asText())
                            && blocks.stream().anyMatch(bl -> LENIENT.valueToTree(bl).equals(r.path("block"))));
                    if (unwrapped) {
                        left.remove(i);
                    }
                }
                if (left.isEmpty()) {
                    deleteBackup = true;
                    nb = null;
                } else {
                    nb.putNull("original_base64");
                    nb.put("written_sha256", HookConfigFile.sha256(out));
                }
            }
        }
        return new Change(t.file(), bytes, out, servers, diff(p.text(), edits), nb, deleteBackup, exact);
    }

    /** Writes the file and its backup (the backup first: a wrap is never on disk without the way back). */
    public static void write(Change c) throws IOException {
        if (!c.changed()) {
            return;
        }
        Path backup = backupOf(c.file());
        if (c.backup() != null) {
            writePrivately(backup, LENIENT.writerWithDefaultPrettyPrinter().writeValueAsBytes(c.backup()));
        }
        HookConfigFile.writeAtomically(c.file(), c.after());
        if (c.deleteBackup()) {
            Files.deleteIfExists(backup);
        }
    }

    /**
     * The backup holds the servers' env as the config did (API keys, tokens): it is readable by its
     * owner only from the moment it exists, whatever the umask.
     */
    private static void writePrivately(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".agent-trace-tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        Files.write(tmp, bytes);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    // ---------------------------------------------------------------- servers

    /** A remote server's URL, or null for a stdio one. */
    static String remoteUrl(JsonNode s) {
        if (!s.isObject()) {
            return null;
        }
        for (String k : List.of("url", "httpUrl", "serverUrl")) {
            if (s.get(k) != null && s.get(k).isTextual()) {
                return s.get(k).asText();
            }
        }
        String type = s.path("type").asText("").toLowerCase(Locale.ROOT);
        return s.get("command") == null && (type.equals("http") || type.equals("sse") || type.equals("streamable-http")) ? "" : null;
    }

    /** {@code command} then {@code args}, or null when the server is not of that shape. */
    static List<String> argv(JsonNode s) {
        if (!s.isObject() || !s.path("command").isTextual()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        out.add(s.get("command").asText());
        JsonNode args = s.get("args");
        if (args != null) {
            if (!args.isArray()) {
                return null;
            }
            for (JsonNode a : args) {
                if (!a.isTextual()) {
                    return null;
                }
                out.add(a.asText());
            }
        }
        return out;
    }

    /**
     * Where the {@code --} of a server already run through {@code agent-trace record} is in its
     * command line (the launcher by name or as {@code command}, or {@code java ... dev.agenttrace.cli.Main}); -1 otherwise.
     */
    public static int separator(List<String> argv, String command) {
        int first = recordAt(argv, command);
        if (first < 0) {
            return -1;
        }
        for (int i = first + 1; i < argv.size(); i++) {
            if (argv.get(i).equals("--")) {
                return i;
            }
        }
        return -1;
    }

    /** Where {@code record} is in a command line that runs agent-trace record (with or without {@code --}); -1 otherwise. */
    static int recordAt(List<String> argv, String command) {
        String c = argv.get(0);
        String base = c.replace('\\', '/');
        base = base.substring(base.lastIndexOf('/') + 1);
        int first;
        if (c.equals(command) || base.equals("agent-trace") || base.equals("agent-trace.cmd")) {
            first = 1;
        } else if (base.equals("java") || base.equals("java.exe")) {
            int main = argv.indexOf("dev.agenttrace.cli.Main");
            first = main < 0 ? -1 : main + 1;
        } else {
            return -1;
        }
        return first < 0 || first >= argv.size() || !argv.get(first).equals("record") ? -1 : first;
    }

    private static boolean matches(JsonNode rec, List<String> orig) {
        try {
            JsonNode c = LENIENT.readTree(rec.path("command").asText());
            JsonNode a = rec.path("args").isNull() ? LENIENT.createArrayNode() : LENIENT.readTree(rec.path("args").asText());
            return c != null && c.equals(TextNode.valueOf(orig.get(0))) && a != null && a.equals(LENIENT.valueToTree(orig.subList(1, orig.size())));
        } catch (IOException e) {
            return false;
        }
    }

    private static JsonNode record(JsonNode backup, List<String> block, String name) {
        if (backup == null) {
            return null;
        }
        JsonNode bl = LENIENT.valueToTree(block);
        for (JsonNode r : backup.path("servers")) {
            if (r.path("block").equals(bl) && r.path("name").asText().equals(name) && r.path("command").isTextual()
                    && (r.path("args").isTextual() || r.path("args").isNull())) {
                return r;
            }
        }
        return null;
    }

    private static ArrayNode servers(ObjectNode backup) {
        return backup.get("servers") instanceof ArrayNode a ? a : backup.putArray("servers");
    }

    private static ObjectNode readBackup(Path backup) throws IOException {
        try {
            JsonNode b = LENIENT.readTree(Files.readAllBytes(backup));
            if (b instanceof ObjectNode o) {
                return o;
            }
        } catch (JsonProcessingException e) {
            // fall through
        }
        throw new ConfigError(backup + " is not agent-trace's wrap backup (not a JSON object); move it away and run again");
    }

    // ---------------------------------------------------------------- the file

    private static Parsed parse(Path file, byte[] bytes) throws IOException {
        String text = new String(bytes, StandardCharsets.UTF_8);
        JsonNode root;
        Map<List<String>, Span> spans;
        try {
            root = LENIENT.readTree(text);
            spans = spans(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr();
            throw new ConfigError(file + where + ": not valid JSON (" + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
        }
        if (!(root instanceof ObjectNode)) {
            throw new ConfigError(file + ":1:1: does not hold a JSON object");
        }
        return new Parsed(text, root, spans);
    }

    /** The server blocks of a target present in the file; a block that is not an object is an error. */
    private static List<List<String>> blocks(Target t, JsonNode root) throws ConfigError {
        List<List<String>> out = new ArrayList<>();
        for (String k : t.keys()) {
            if (root.has(k)) {
                out.add(List.of(k));
            }
        }
        if (t.claudeProject() != null && root.get("projects") instanceof ObjectNode projects) {
            for (Iterator<Map.Entry<String, JsonNode>> it = projects.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if ((t.claudeProject().equals("*") || t.claudeProject().equals(e.getKey())) && e.getValue().has("mcpServers")) {
                    out.add(List.of("projects", e.getKey(), "mcpServers"));
                }
            }
        }
        for (List<String> b : out) {
            if (!at(root, b).isObject()) {
                throw new ConfigError(t.file() + ": " + describe(b) + " is not an object; agent-trace will not rewrite it");
            }
        }
        return out;
    }

    private static JsonNode at(JsonNode root, List<String> path) {
        JsonNode n = root;
        for (String k : path) {
            n = n.path(k);
        }
        return n;
    }

    private static String describe(List<String> block) {
        return block.size() == 1 ? block.get(0) : "projects[" + json(block.get(1)) + "]." + block.get(2);
    }

    /** The text span of every object member down to {@link #SCAN_DEPTH} (arrays are not entered), by path. */
    private static Map<List<String>, Span> spans(String text) throws IOException {
        Map<List<String>, Span> out = new HashMap<>();
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t != null) {
                scan(p, t, List.of(), -1, 0, out);
            }
        }
        return out;
    }

    private static void scan(JsonParser p, JsonToken t, List<String> path, int nameStart, int depth, Map<List<String>, Span> out)
            throws IOException {
        int start = (int) p.currentTokenLocation().getCharOffset();
        int end;
        if (t == JsonToken.START_OBJECT && depth < SCAN_DEPTH) {
            JsonToken n;
            while ((n = p.nextToken()) == JsonToken.FIELD_NAME) {
                int ns = (int) p.currentTokenLocation().getCharOffset();
                String name = p.currentName();
                scan(p, p.nextToken(), append(path, name), ns, depth + 1, out);
            }
            end = (int) p.currentTokenLocation().getCharOffset() + 1;
        } else if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            p.skipChildren();
            end = (int) p.currentTokenLocation().getCharOffset() + 1;
        } else {
            p.getText(); // a string is read lazily: finish it, so the location is past its closing quote
            end = (int) p.currentLocation().getCharOffset();
        }
        out.put(path, new Span(nameStart, start, end));
    }

    /** Removes a member: with the comma before it, or (the first member) with the comma after it. */
    private static Edit removal(String text, Span m) {
        int i = m.nameStart() - 1;
        while (i >= 0 && Character.isWhitespace(text.charAt(i))) {
            i--;
        }
        if (i >= 0 && text.charAt(i) == ',') {
            return new Edit(i, m.end(), "");
        }
        int j = m.end();
        while (j < text.length() && Character.isWhitespace(text.charAt(j))) {
            j++;
        }
        if (j < text.length() && text.charAt(j) == ',') {
            j++;
            while (j < text.length() && Character.isWhitespace(text.charAt(j))) {
                j++;
            }
        }
        return new Edit(m.nameStart(), j, "");
    }

    private static String applyEdits(String text, List<Edit> edits) {
        List<Edit> sorted = new ArrayList<>(edits);
        sorted.sort(Comparator.comparingInt(Edit::start).reversed());
        StringBuilder b = new StringBuilder(text);
        for (Edit e : sorted) {
            b.replace(e.start(), e.end(), e.text());
        }
        return b.toString();
    }

    /** The lines each edit touches, before and after, in file order. */
    private static List<String> diff(String text, List<Edit> edits) {
        List<Edit> sorted = new ArrayList<>(edits);
        sorted.sort(Comparator.comparingInt(Edit::start));
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < sorted.size()) {
            int from = text.lastIndexOf('\n', sorted.get(i).start() - 1) + 1;
            int to = lineEnd(text, sorted.get(i).end());
            List<Edit> group = new ArrayList<>();
            group.add(sorted.get(i++));
            while (i < sorted.size() && sorted.get(i).start() <= to) {
                to = lineEnd(text, Math.max(to, sorted.get(i).end()));
                group.add(sorted.get(i++));
            }
            String old = text.substring(from, to);
            StringBuilder now = new StringBuilder(old);
            for (int k = group.size() - 1; k >= 0; k--) {
                Edit e = group.get(k);
                now.replace(e.start() - from, e.end() - from, e.text());
            }
            int line = 1 + (int) text.substring(0, from).chars().filter(c -> c == '\n').count();
            out.add("@@ line " + line);
            old.lines().forEach(l -> out.add("- " + l));
            now.toString().lines().forEach(l -> out.add("+ " + l));
        }
        return out;
    }

    private static int lineEnd(String text, int at) {
        int nl = text.indexOf('\n', at);
        return nl < 0 ? text.length() : nl;
    }

    private static List<String> append(List<String> path, String k) {
        List<String> out = new ArrayList<>(path);
        out.add(k);
        return out;
    }

    static String json(String s) {
        try {
            return LENIENT.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String array(List<String> items) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(json(items.get(i)));
        }
        return b.append(']').toString();
    }

    /** A command line for sh, each word quoted only when it must be. */
    public static String shell(List<String> argv) {
        StringBuilder b = new StringBuilder();
        for (String a : argv) {
            b.append(b.length() == 0 ? "" : " ").append(AgentHooks.quote(a));
        }
        return b.toString();
    }

    /** The local URL a {@code record-http} on {@code port} serves an upstream at: its own path, on loopback. */
    public static String localUrl(String upstream, int port) {
        try {
            URI u = new URI(upstream);
            return new URI("http", null, "127.0.0.1", port, u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getPath(),
                    u.getQuery(), null).toString();
        } catch (URISyntaxException e) {
            return "http://127.0.0.1:" + port + "/";
        }
    }
}
