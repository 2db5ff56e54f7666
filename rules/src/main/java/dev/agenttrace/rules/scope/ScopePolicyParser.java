package dev.agenttrace.rules.scope;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.agenttrace.rules.config.JsonSyntax;
import dev.agenttrace.rules.config.Spelling;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
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
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
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
    private final String text;
    private JsonParser p;
    private final List<String> warnings = new ArrayList<>();

    private ScopePolicyParser(String source, String text) {
        this.source = source;
        this.text = text;
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
        String content = json.startsWith("\uFEFF") ? json.substring(1) : json;
        return new ScopePolicyParser(source, content).run();
    }

    private ScopePolicy run() throws PolicyException {
        if (text.isBlank()) {
            return ScopePolicy.empty(source);
        }
        try (JsonParser parser = JSON.createParser(text)) {
            p = parser;
            return readPolicy();
        } catch (JsonProcessingException e) {
            throw syntaxError(e);
        } catch (IOException e) {
            throw new PolicyException(source, 0, 0, "the policy cannot be read (" + e.getMessage() + ")", "check the file");
        }
    }

    private ScopePolicy readPolicy() throws IOException, PolicyException {
        JsonToken t = p.nextToken();
        if (t != JsonToken.START_OBJECT) {
            throw error("the policy must be a JSON object, not " + describe(t),
                    "wrap the rules in { }, e.g. {\"files\": {\"read\": {\"deny\": [\".env\"]}}}");
        }
        FileAccessRules read = FileAccessRules.NONE;
        FileAccessRules write = FileAccessRules.NONE;
        CommandRules commands = CommandRules.NONE;
        NetworkRules network = NetworkRules.NONE;
        List<ToolSpec> tools = new ArrayList<>();
        boolean protect = true;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonLocation at = p.currentTokenLocation();
            p.nextToken();
            switch (key) {
                case "files" -> {
                    expectObject("files", "{\"read\": {...}, \"write\": {...}}");
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String access = p.currentName();
                        JsonLocation accessAt = p.currentTokenLocation();
                        p.nextToken();
                        switch (access) {
                            case "read" -> read = readFileRules("files.read");
                            case "write" -> write = readFileRules("files.write");
                            case COMMENT -> skipComment();
                            default -> throw unknownKey(access, "files", FILES_KEYS, accessAt);
                        }
                    }
                }
                case "commands" -> commands = readCommandRules();
                case "network" -> network = readNetworkRules();
                case "tools" -> tools = readTools();
                case "protect" -> {
                    if (p.currentToken() != JsonToken.VALUE_TRUE && p.currentToken() != JsonToken.VALUE_FALSE) {
                        throw error("protect must be true or false, not " + describe(p.currentToken()),
                                "write false (without quotes) to let calls write the policy, watch and agent configuration files");
                    }
                    protect = p.currentToken() == JsonToken.VALUE_TRUE;
                }
                case "$schema" -> expectString("$schema");
                case COMMENT -> skipComment();
                default -> throw unknownKey(key, "the top level", TOP_KEYS, at);
            }
        }
        if (p.nextToken() != null) {
            throw error("there is more JSON after the policy object", "remove it; a policy file holds exactly one { } object");
        }
        if (!network.denyAll() && !network.allow().isEmpty()) {
            warnings.add("network.allow has no effect without \"deny_all\": true (the network is not restricted)");
        }
        return new ScopePolicy(source, read, write, commands, network, ToolTable.defaults().extendedWith(tools), warnings, protect);
    }

    private FileAccessRules readFileRules(String section) throws IOException, PolicyException {
        expectObject(section, "{\"allow\": [...], \"deny\": [...]}");
        List<PathGlob> allow = List.of();
        List<PathGlob> deny = List.of();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonLocation at = p.currentTokenLocation();
            p.nextToken();
            switch (key) {
                case "allow" -> allow = readGlobs(section + ".allow", false);
                case "deny" -> deny = readGlobs(section + ".deny", true);
                case COMMENT -> skipComment();
                default -> throw unknownKey(key, section, LIST_KEYS, at);
            }
        }
        return new FileAccessRules(allow, deny);
    }

    private List<PathGlob> readGlobs(String section, boolean deny) throws IOException, PolicyException {
        List<PathGlob> globs = new ArrayList<>();
        for (StringAt s : readStrings(section)) {
            try {
                globs.add(PathGlob.compile(s.value, deny));
            } catch (GlobSyntaxException e) {
                throw new PolicyException(source, s.line, s.column + 1 + e.offset(),
                        "bad glob \"" + s.value + "\" in " + section + ": " + e.problem(), e.fix());
            }
            if (s.value.indexOf('\\') >= 0 && s.value.matches(".*\\\\[A-Za-z0-9_].*")) {
                warnings.add(section + " \"" + s.value + "\": a backslash escapes the next character in a glob; "
                        + "paths use '/' (write \"" + s.value.replace('\\', '/') + "\")");
            }
        }
        return globs;
    }

    private CommandRules readCommandRules() throws IOException, PolicyException {
        expectObject("commands", "{\"allow\": [...], \"deny\": [...], \"trust\": [...]}");
        List<CommandPattern> allow = List.of();
        List<CommandPattern> deny = List.of();
        List<CommandPattern> trust = List.of();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonLocation at = p.currentTokenLocation();
            p.nextToken();
            switch (key) {
                case "allow" -> allow = readCommandPatterns("commands.allow");
                case "deny" -> deny = readCommandPatterns("commands.deny");
                case "trust" -> trust = readCommandPatterns("commands.trust");
                case COMMENT -> skipComment();
                default -> throw unknownKey(key, "commands", COMMAND_KEYS, at);
            }
        }
        return new CommandRules(allow, deny, trust);
    }

    private List<CommandPattern> readCommandPatterns(String section) throws IOException, PolicyException {
        List<CommandPattern> out = new ArrayList<>();
        for (StringAt s : readStrings(section)) {
            try {
                out.add(CommandPattern.compile(s.value));
            } catch (IllegalArgumentException e) {
                throw patternError(section, s, e);
            }
        }
        return out;
    }

    private NetworkRules readNetworkRules() throws IOException, PolicyException {
        expectObject("network", "{\"deny_all\": true, \"allow\": [\"localhost\"]}");
        boolean denyAll = false;
        List<HostPattern> allow = new ArrayList<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonLocation at = p.currentTokenLocation();
            JsonToken t = p.nextToken();
            switch (key) {
                case "deny_all" -> {
                    if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
                        String fix = t == JsonToken.VALUE_STRING
                                && List.of("true", "false").contains(p.getText().trim().toLowerCase(Locale.ROOT))
                                ? "write " + p.getText().trim().toLowerCase(Locale.ROOT) + " without quotes"
                                : "write true or false";
                        throw error("network.deny_all must be true or false, not " + describe(t), fix);
                    }
                    denyAll = t == JsonToken.VALUE_TRUE;
                }
                case "allow" -> {
                    for (StringAt s : readStrings("network.allow")) {
                        try {
                            allow.add(HostPattern.compile(s.value));
                        } catch (IllegalArgumentException e) {
                            throw patternError("network.allow", s, e);
                        }
                    }
                }
                case COMMENT -> skipComment();
                default -> throw unknownKey(key, "network", NETWORK_KEYS, at);
            }
        }
        return new NetworkRules(denyAll, allow);
    }

    private List<ToolSpec> readTools() throws IOException, PolicyException {
        expectObject("tools", "{\"my_reader\": {\"kind\": \"file_read\", \"args\": [\"target\"]}}");
        Map<String, ToolSpec> specs = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            if (name.equals(COMMENT)) {
                p.nextToken();
                skipComment();
                continue;
            }
            if (name.isBlank()) {
                throw error("a tool name in \"tools\" is empty", "write the tool's name as the server lists it");
            }
            JsonToken t = p.nextToken();
            List<ArgumentBinding> bindings = new ArrayList<>();
            String section = "tools." + name;
            if (t == JsonToken.START_ARRAY) {
                int index = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    readToolEntry(section + "[" + index++ + "]", bindings);
                }
            } else {
                readToolEntry(section, bindings);
            }
            specs.put(name, new ToolSpec(name, bindings));
        }
        return new ArrayList<>(specs.values());
    }

    private void readToolEntry(String section, List<ArgumentBinding> into) throws IOException, PolicyException {
        expectObject(section, "{\"kind\": \"file_read\", \"args\": [\"path\"]}");
        JsonLocation start = p.currentTokenLocation();
        String kind = null;
        List<StringAt> args = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonLocation at = p.currentTokenLocation();
            p.nextToken();
            switch (key) {
                case "kind" -> {
                    StringAt k = expectString(section + ".kind");
                    if (!KINDS.contains(k.value)) {
                        String near = Spelling.nearest(k.value, KINDS);
                        throw new PolicyException(source, k.line, k.column, "unknown kind \"" + k.value + "\" in " + section,
                                (near != null ? "did you mean \"" + near + "\"? " : "") + "kinds are " + String.join(", ", KINDS));
                    }
                    kind = k.value;
                }
                case "args" -> args = readStrings(section + ".args");
                case COMMENT -> skipComment();
                default -> throw unknownKey(key, section, TOOL_KEYS, at);
            }
        }
        if (kind == null) {
            throw new PolicyException(source, start.getLineNr(), start.getColumnNr(), section + " has no \"kind\"",
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
            throw new PolicyException(source, start.getLineNr(), start.getColumnNr(), section + " lists no \"args\"",
                    "add \"args\": [\"name\"] with the argument names that hold a " + kind.replace('_', ' '));
        }
        ArgumentKind argumentKind = ArgumentKind.fromWireName(kind);
        for (StringAt a : args) {
            if (a.value.isBlank() || a.value.startsWith(".") || a.value.endsWith(".") || a.value.contains("..")) {
                throw new PolicyException(source, a.line, a.column, "argument name \"" + a.value + "\" in " + section + " is not valid",
                        "write the argument's name, or a dotted path like \"options.path\"");
            }
            into.add(new ArgumentBinding(a.value, argumentKind));
        }
    }

    /** Skips a {@code $comment} value, whatever its shape (a string, a list of lines, notes keyed by rule). */
    private void skipComment() throws IOException {
        p.skipChildren();
    }

    private record StringAt(String value, int line, int column) {
    }

    private List<StringAt> readStrings(String section) throws IOException, PolicyException {
        JsonToken t = p.currentToken();
        if (t != JsonToken.START_ARRAY) {
            String fix = t == JsonToken.VALUE_STRING ? "write [" + quote(p.getText()) + "]"
                    : t == JsonToken.VALUE_NULL ? "write [] for no rules, or remove the key"
                    : "write an array of strings, e.g. [\"src/**\"]";
            throw error(section + " must be an array of strings, not " + describe(t), fix);
        }
        List<StringAt> out = new ArrayList<>();
        int index = 0;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_STRING) {
                String fix = t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_TRUE
                        || t == JsonToken.VALUE_FALSE ? "quote it: " + quote(p.getText()) : "write a string";
                throw error(section + "[" + index + "] must be a string, not " + describe(t), fix);
            }
            JsonLocation at = p.currentTokenLocation();
            out.add(new StringAt(p.getText(), at.getLineNr(), at.getColumnNr()));
            index++;
        }
        return out;
    }

    private StringAt expectString(String section) throws IOException, PolicyException {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_STRING) {
            throw error(section + " must be a string, not " + describe(t), "write a quoted string");
        }
        JsonLocation at = p.currentTokenLocation();
        return new StringAt(p.getText(), at.getLineNr(), at.getColumnNr());
    }

    private void expectObject(String section, String example) throws IOException, PolicyException {
        JsonToken t = p.currentToken();
        if (t != JsonToken.START_OBJECT) {
            throw error(section + " must be an object, not " + describe(t), "write " + example);
        }
    }

    private PolicyException unknownKey(String key, String section, List<String> known, JsonLocation at) {
        String near = Spelling.nearest(key, known);
        String fix;
        if (near != null) {
            fix = "did you mean \"" + near + "\"?";
        } else if (HOME_OF_KEY.containsKey(key)) {
            fix = "\"" + key + "\" belongs in " + HOME_OF_KEY.get(key) + "; here the keys are " + quotedList(known);
        } else {
            fix = "remove it; the keys here are " + quotedList(known);
        }
        return new PolicyException(source, at.getLineNr(), at.getColumnNr(), "unknown key \"" + key + "\" in " + section, fix);
    }

    private PolicyException patternError(String section, StringAt s, IllegalArgumentException e) {
        String message = e.getMessage();
        int cut = message.indexOf("; ");
        String problem = cut < 0 ? message : message.substring(0, cut);
        String fix = cut < 0 ? "correct the pattern" : message.substring(cut + 2);
        return new PolicyException(source, s.line, s.column, "\"" + s.value + "\" in " + section + ": " + problem, fix);
    }

    private PolicyException error(String problem, String fix) {
        JsonLocation at = p.currentTokenLocation();
        return new PolicyException(source, at.getLineNr(), at.getColumnNr(), problem, fix);
    }

    /** Turns Jackson's syntax errors into a problem and a fix a user can act on. */
    private PolicyException syntaxError(JsonProcessingException e) {
        JsonSyntax.Explained x = JsonSyntax.explain(e, text, "files");
        return new PolicyException(source, x.line(), x.column(), x.problem(), x.fix());
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.asString() == null ? t.name() : t.asString();
        };
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
