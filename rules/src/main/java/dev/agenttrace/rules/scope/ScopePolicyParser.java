package dev.agenttrace.rules.scope;

import dev.agenttrace.rules.config.LocatedJson;
import dev.agenttrace.rules.config.LocatedJson.Arr;
import dev.agenttrace.rules.config.LocatedJson.Field;
import dev.agenttrace.rules.config.LocatedJson.Node;
import dev.agenttrace.rules.config.LocatedJson.Obj;
import dev.agenttrace.rules.config.LocatedJson.Val;
import dev.agenttrace.rules.config.Spelling;
import dev.agenttrace.rules.scope.network.HostPattern;
import dev.agenttrace.rules.scope.paths.GlobSyntaxException;
import dev.agenttrace.rules.scope.paths.PathGlob;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads {@code .agent-scope.json} strictly, because a policy with a typo that silently allows
 * everything (agent-strace's behaviour) is worse than no policy: an unknown key, a wrong type, a
 * bad glob or invalid JSON is a {@link PolicyException} naming the file, line, column, the problem
 * and the fix ("did you mean "deny"?"). An empty file or {@code {}} is a valid policy that allows
 * everything; {@link ScopePolicy#describe()} says so.
 *
 * <p>Schema (every key optional):
 * <pre>
 * {
 *   "files":    { "read":  { "allow": [GLOB...], "deny": [GLOB...] },
 *                 "write": { "allow": [GLOB...], "deny": [GLOB...] } },
 *   "commands": { "allow": [COMMAND...], "deny": [COMMAND...], "trust": [COMMAND...] },
 *   "network":  { "deny_all": BOOLEAN, "allow": [HOST...] },
 *   "protect":  BOOLEAN,
 *   "tools":    { "TOOL_NAME": { "kind": KIND, "args": [ARG...] },
 *                 "TOOL_NAME": [ { "kind": KIND, "args": [ARG...] }, ... ] },
 *   "$schema":  STRING
 * }
 * </pre>
 * A {@code "$comment"} key may stand in any of these objects, with any value; it is ignored
 * ({@code policy suggest} puts there how many recorded calls support each rule).
 * {@code KIND} is {@code file_read}, {@code file_write}, {@code command}, {@code url}, or
 * {@code none} (the tool touches nothing the policy governs; {@code args} is then omitted). A tool
 * given as an array has several kinds of argument, e.g. a move tool:
 * {@code [{"kind": "file_read", "args": ["from"]}, {"kind": "file_write", "args": ["from", "to"]}]}.
 * {@code ARG} is an argument name, or a dotted path into nested objects ({@code options.path});
 * arrays are judged element by element. An entry replaces the default entry of the same tool.
 * Glob, command and host syntax: {@link PathGlob}, {@link CommandPattern}, {@link HostPattern}.
 */
public final class ScopePolicyParser {
    private static final LocatedJson.Kind<PolicyException> JSON = new LocatedJson.Kind<>(PolicyException::new,
            "files", "there is more JSON after the policy object", "remove it; a policy file holds exactly one { } object");
    /** A note for people, at any level (JSON Schema's convention): any JSON value, ignored. */
    private static final String COMMENT = "$comment";
    private static final List<String> TOP_KEYS = List.of("files", "commands", "network", "tools", "protect", "$schema", COMMENT);
    private static final List<String> FILES_KEYS = List.of("read", "write");
    private static final List<String> LIST_KEYS = List.of("allow", "deny");
    private static final List<String> COMMAND_KEYS = List.of("allow", "deny", "trust");
    private static final List<String> NETWORK_KEYS = List.of("deny_all", "allow");
    private static final List<String> TOOL_KEYS = List.of("kind", "args");
    private static final List<String> KINDS = List.of("file_read", "file_write", "command", "url", "none");
    /** Where each key belongs, to say "belongs in network" for a key put in the wrong section. */
    private static final Map<String, String> HOME_OF_KEY = Map.of(
            "read", "\"files\"", "write", "\"files\"", "deny_all", "\"network\"",
            "allow", "files.read, files.write, commands or network", "deny", "files.read, files.write or commands",
            "kind", "an entry of \"tools\"", "args", "an entry of \"tools\"",
            "files", "the top level", "commands", "the top level", "network", "the top level");

    private final String source;
    private final List<String> warnings = new ArrayList<>();

    private ScopePolicyParser(String source) {
        this.source = source;
    }

    /** Reads and parses a policy file; a missing or unreadable file is a {@link PolicyException} too. */
    public static ScopePolicy parse(Path file) throws PolicyException {
        String name = file.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new PolicyException(name, 0, 0, "the policy file does not exist",
                    "create it, or point --policy at an existing file");
        } catch (IOException e) {
            throw new PolicyException(name, 0, 0, "the policy file cannot be read (" + e.getMessage() + ")",
                    "check its permissions");
        }
        String content;
        try {
            content = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new PolicyException(name, 1, 1, "the policy file is not UTF-8 text", "save it as UTF-8");
        }
        return parse(content, name);
    }

    /**
     * @param json   the policy text
     * @param source the name used in messages (usually the file name)
     */
    public static ScopePolicy parse(String json, String source) throws PolicyException {
        Node root = LocatedJson.parse(json, source, JSON);
        if (root == null) {
            return ScopePolicy.empty(source);
        }
        return new ScopePolicyParser(source).readPolicy(root);
    }

    private ScopePolicy readPolicy(Node root) throws PolicyException {
        if (!(root instanceof Obj top)) {
            throw error(root, "the policy must be a JSON object, not " + root.describe(),
                    "wrap the rules in { }, e.g. {\"files\": {\"read\": {\"deny\": [\".env\"]}}}");
        }
        FileAccessRules read = FileAccessRules.NONE;
        FileAccessRules write = FileAccessRules.NONE;
        CommandRules commands = CommandRules.NONE;
        NetworkRules network = NetworkRules.NONE;
        List<ToolSpec> tools = new ArrayList<>();
        boolean protect = true;
        for (Field f : top.fields) {
            Node v = f.value();
            switch (f.key()) {
                case "files" -> {
                    for (Field access : object(v, "files", "{\"read\": {...}, \"write\": {...}}").fields) {
                        switch (access.key()) {
                            case "read" -> read = readFileRules(access.value(), "files.read");
                            case "write" -> write = readFileRules(access.value(), "files.write");
                            case COMMENT -> { }
                            default -> throw unknownKey(access, "files", FILES_KEYS);
                        }
                    }
                }
                case "commands" -> commands = readCommandRules(v);
                case "network" -> network = readNetworkRules(v);
                case "tools" -> tools = readTools(v);
                case "protect" -> {
                    if (!(v instanceof Val b && b.isBoolean())) {
                        throw error(v, "protect must be true or false, not " + v.describe(),
                                "write false (without quotes) to let calls write the policy, watch and agent configuration files");
                    }
                    protect = b.text.equals("true");
                }
                case "$schema" -> expectString(v, "$schema");
                case COMMENT -> { }
                default -> throw unknownKey(f, "the top level", TOP_KEYS);
            }
        }
        if (!network.denyAll() && !network.allow().isEmpty()) {
            warnings.add("network.allow has no effect without \"deny_all\": true (the network is not restricted)");
        }
        return new ScopePolicy(source, read, write, commands, network, ToolTable.defaults().extendedWith(tools), warnings, protect);
    }

    private FileAccessRules readFileRules(Node v, String section) throws PolicyException {
        List<PathGlob> allow = List.of();
        List<PathGlob> deny = List.of();
        for (Field f : object(v, section, "{\"allow\": [...], \"deny\": [...]}").fields) {
            switch (f.key()) {
                case "allow" -> allow = readGlobs(f.value(), section + ".allow", false);
                case "deny" -> deny = readGlobs(f.value(), section + ".deny", true);
                case COMMENT -> { }
                default -> throw unknownKey(f, section, LIST_KEYS);
            }
        }
        return new FileAccessRules(allow, deny);
    }

    private List<PathGlob> readGlobs(Node v, String section, boolean deny) throws PolicyException {
        List<PathGlob> globs = new ArrayList<>();
        for (Val s : strings(v, section)) {
            try {
                globs.add(PathGlob.compile(s.text, deny));
            } catch (GlobSyntaxException e) {
                throw new PolicyException(source, s.line, s.column + 1 + e.offset(),
                        "bad glob \"" + s.text + "\" in " + section + ": " + e.problem(), e.fix());
            }
            if (s.text.indexOf('\\') >= 0 && s.text.matches(".*\\\\[A-Za-z0-9_].*")) {
                warnings.add(section + " \"" + s.text + "\": a backslash escapes the next character in a glob; "
                        + "paths use '/' (write \"" + s.text.replace('\\', '/') + "\")");
            }
        }
        return globs;
    }

    private CommandRules readCommandRules(Node v) throws PolicyException {
        List<CommandPattern> allow = List.of();
        List<CommandPattern> deny = List.of();
        List<CommandPattern> trust = List.of();
        for (Field f : object(v, "commands", "{\"allow\": [...], \"deny\": [...], \"trust\": [...]}").fields) {
            switch (f.key()) {
                case "allow" -> allow = readCommandPatterns(f.value(), "commands.allow");
                case "deny" -> deny = readCommandPatterns(f.value(), "commands.deny");
                case "trust" -> trust = readCommandPatterns(f.value(), "commands.trust");
                case COMMENT -> { }
                default -> throw unknownKey(f, "commands", COMMAND_KEYS);
            }
        }
        return new CommandRules(allow, deny, trust);
    }

    private List<CommandPattern> readCommandPatterns(Node v, String section) throws PolicyException {
        List<CommandPattern> out = new ArrayList<>();
        for (Val s : strings(v, section)) {
            try {
                out.add(CommandPattern.compile(s.text));
            } catch (IllegalArgumentException e) {
                throw patternError(section, s, e);
            }
        }
        return out;
    }

    private NetworkRules readNetworkRules(Node v) throws PolicyException {
        boolean denyAll = false;
        List<HostPattern> allow = new ArrayList<>();
        for (Field f : object(v, "network", "{\"deny_all\": true, \"allow\": [\"localhost\"]}").fields) {
            Node value = f.value();
            switch (f.key()) {
                case "deny_all" -> {
                    if (!(value instanceof Val b && b.isBoolean())) {
                        String said = value instanceof Val s && s.isString() ? s.text.trim().toLowerCase(Locale.ROOT) : null;
                        String fix = said != null && List.of("true", "false").contains(said)
                                ? "write " + said + " without quotes" : "write true or false";
                        throw error(value, "network.deny_all must be true or false, not " + value.describe(), fix);
                    }
                    denyAll = b.text.equals("true");
                }
                case "allow" -> {
                    for (Val s : strings(value, "network.allow")) {
                        try {
                            allow.add(HostPattern.compile(s.text));
                        } catch (IllegalArgumentException e) {
                            throw patternError("network.allow", s, e);
                        }
                    }
                }
                case COMMENT -> { }
                default -> throw unknownKey(f, "network", NETWORK_KEYS);
            }
        }
        return new NetworkRules(denyAll, allow);
    }

    private List<ToolSpec> readTools(Node v) throws PolicyException {
        Map<String, ToolSpec> specs = new LinkedHashMap<>();
        for (Field f : object(v, "tools", "{\"my_reader\": {\"kind\": \"file_read\", \"args\": [\"target\"]}}").fields) {
            String name = f.key();
            if (name.equals(COMMENT)) {
                continue;
            }
            if (name.isBlank()) {
                throw new PolicyException(source, f.line(), f.column(), "a tool name in \"tools\" is empty",
                        "write the tool's name as the server lists it");
            }
            List<ArgumentBinding> bindings = new ArrayList<>();
            String section = "tools." + name;
            if (f.value() instanceof Arr entries) {
                int index = 0;
                for (Node entry : entries.items) {
                    readToolEntry(entry, section + "[" + index++ + "]", bindings);
                }
            } else {
                readToolEntry(f.value(), section, bindings);
            }
            specs.put(name, new ToolSpec(name, bindings));
        }
        return new ArrayList<>(specs.values());
    }

    private void readToolEntry(Node v, String section, List<ArgumentBinding> into) throws PolicyException {
        Obj entry = object(v, section, "{\"kind\": \"file_read\", \"args\": [\"path\"]}");
        String kind = null;
        List<Val> args = null;
        for (Field f : entry.fields) {
            switch (f.key()) {
                case "kind" -> {
                    Val k = expectString(f.value(), section + ".kind");
                    if (!KINDS.contains(k.text)) {
                        String near = Spelling.nearest(k.text, KINDS);
                        throw new PolicyException(source, k.line, k.column, "unknown kind \"" + k.text + "\" in " + section,
                                (near != null ? "did you mean \"" + near + "\"? " : "") + "kinds are " + String.join(", ", KINDS));
                    }
                    kind = k.text;
                }
                case "args" -> args = strings(f.value(), section + ".args");
                case COMMENT -> { }
                default -> throw unknownKey(f, section, TOOL_KEYS);
            }
        }
        if (kind == null) {
            throw new PolicyException(source, entry.line, entry.column, section + " has no \"kind\"",
                    "add \"kind\": one of " + String.join(", ", KINDS));
        }
        if (kind.equals("none")) {
            if (args != null && !args.isEmpty()) {
                throw new PolicyException(source, args.get(0).line, args.get(0).column,
                        section + " has kind \"none\" but lists args", "remove \"args\", or give the kind of those arguments");
            }
            return;
        }
        if (args == null || args.isEmpty()) {
            throw new PolicyException(source, entry.line, entry.column, section + " lists no \"args\"",
                    "add \"args\": [\"name\"] with the argument names that hold a " + kind.replace('_', ' '));
        }
        ArgumentKind argumentKind = ArgumentKind.fromWireName(kind);
        for (Val a : args) {
            if (a.text.isBlank() || a.text.startsWith(".") || a.text.endsWith(".") || a.text.contains("..")) {
                throw new PolicyException(source, a.line, a.column, "argument name \"" + a.text + "\" in " + section + " is not valid",
                        "write the argument's name, or a dotted path like \"options.path\"");
            }
            into.add(new ArgumentBinding(a.text, argumentKind));
        }
    }

    /** An array of strings, each with where it stands. */
    private List<Val> strings(Node v, String section) throws PolicyException {
        if (!(v instanceof Arr array)) {
            String fix = v instanceof Val s && s.isString() ? "write [" + quote(s.text) + "]"
                    : v instanceof Val n && n.text == null ? "write [] for no rules, or remove the key"
                    : "write an array of strings, e.g. [\"src/**\"]";
            throw error(v, section + " must be an array of strings, not " + v.describe(), fix);
        }
        List<Val> out = new ArrayList<>();
        int index = 0;
        for (Node item : array.items) {
            if (!(item instanceof Val s && s.isString())) {
                String fix = item instanceof Val x && (x.isNumber() || x.isBoolean()) ? "quote it: " + quote(x.text) : "write a string";
                throw error(item, section + "[" + index + "] must be a string, not " + item.describe(), fix);
            }
            out.add(s);
            index++;
        }
        return out;
    }

    private Val expectString(Node v, String section) throws PolicyException {
        if (!(v instanceof Val s && s.isString())) {
            throw error(v, section + " must be a string, not " + v.describe(), "write a quoted string");
        }
        return s;
    }

    private Obj object(Node v, String section, String example) throws PolicyException {
        if (!(v instanceof Obj o)) {
            throw error(v, section + " must be an object, not " + v.describe(), "write " + example);
        }
        return o;
    }

    private PolicyException unknownKey(Field f, String section, List<String> known) {
        String key = f.key();
        String near = Spelling.nearest(key, known);
        String fix;
        if (near != null) {
            fix = "did you mean \"" + near + "\"?";
        } else if (HOME_OF_KEY.containsKey(key)) {
            fix = "\"" + key + "\" belongs in " + HOME_OF_KEY.get(key) + "; here the keys are " + quotedList(known);
        } else {
            fix = "remove it; the keys here are " + quotedList(known);
        }
        return new PolicyException(source, f.line(), f.column(), "unknown key \"" + key + "\" in " + section, fix);
    }

    private PolicyException patternError(String section, Val s, IllegalArgumentException e) {
        String message = e.getMessage();
        int cut = message.indexOf("; ");
        String problem = cut < 0 ? message : message.substring(0, cut);
        String fix = cut < 0 ? "correct the pattern" : message.substring(cut + 2);
        return new PolicyException(source, s.line, s.column, "\"" + s.text + "\" in " + section + ": " + problem, fix);
    }

    private PolicyException error(Node at, String problem, String fix) {
        return new PolicyException(source, at.line, at.column, problem, fix);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String quotedList(List<String> keys) {
        List<String> quoted = new ArrayList<>();
        for (String k : keys) {
            quoted.add("\"" + k + "\"");
        }
        return String.join(", ", quoted);
    }
}
