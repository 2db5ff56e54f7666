package dev.agenttrace.rules.scope;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.rules.scope.network.HostName;
import dev.agenttrace.rules.scope.network.HostPattern;
import dev.agenttrace.rules.scope.network.UrlHosts;
import dev.agenttrace.rules.scope.paths.NormalisedPath;
import dev.agenttrace.rules.scope.paths.PathGlob;
import dev.agenttrace.rules.scope.paths.PathNormaliser;
import dev.agenttrace.rules.scope.paths.ShellPathExpander;
import dev.agenttrace.rules.scope.shell.CommandFileAccess;
import dev.agenttrace.rules.scope.shell.CommandNetworkAccess;
import dev.agenttrace.rules.scope.shell.CommandUnwrapper;
import dev.agenttrace.rules.scope.shell.FileOperand;
import dev.agenttrace.rules.scope.shell.InlineCode;
import dev.agenttrace.rules.scope.shell.Invocation;
import dev.agenttrace.rules.scope.shell.NetworkTarget;
import dev.agenttrace.rules.scope.shell.OptionConventions;
import dev.agenttrace.rules.scope.shell.ParsedArguments;
import dev.agenttrace.rules.scope.shell.ResolvedCommand;
import dev.agenttrace.rules.scope.shell.ShellParser;
import dev.agenttrace.rules.scope.shell.ShellSyntaxException;
import dev.agenttrace.rules.scope.shell.SimpleCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The judgement of one call: short-lived, single-threaded; see {@link ScopeEvaluator} for the semantics. */
final class CallJudgement {
    private static final Set<String> COMMAND_KEYS = Set.of("command", "cmd", "script", "shell", "commandline",
            "command_line", "bash", "sh", "shell_command");
    private static final Set<String> PATH_KEYS = Set.of("source", "src", "destination", "dest", "dst", "target", "cwd",
            "root", "location", "output", "input", "from", "to");
    private static final Set<String> URL_KEYS = Set.of("url", "uri", "endpoint", "href", "link", "base_url", "baseurl");
    private static final Set<String> HOST_KEYS = Set.of("host", "hostname", "domain");
    private static final Set<String> WRITE_KEYS = Set.of("destination", "dest", "dst", "target", "output", "to");
    private static final Pattern WRITE_TOOL = Pattern.compile(
            "(?i).*(write|edit|create|delete|remove|move|rename|save|update|put|upload|mkdir|patch|append|copy|touch|set|replace).*");
    private static final Pattern DOTFILE = Pattern.compile("^\\.[A-Za-z0-9_][^\\s/]*$");
    private static final Pattern WINDOWS_DRIVE = Pattern.compile("^[A-Za-z]:[\\\\/].*");

    private final ScopePolicy policy;
    private final String tool;
    private final JsonNode arguments;
    private final PathNormaliser paths;
    private final ShellPathExpander expander;
    private final boolean fileRules;
    private MatchedRule firstAllowRule;
    private int checks;
    private final List<String> heuristics = new ArrayList<>();

    CallJudgement(ScopePolicy policy, String tool, JsonNode arguments, PathNormaliser paths) {
        this.policy = policy;
        this.tool = tool;
        this.arguments = arguments;
        this.paths = paths;
        this.expander = new ShellPathExpander(paths);
        this.fileRules = !policy.read().isEmpty() || !policy.write().isEmpty();
    }

    Decision run() {
        if (policy.allowsEverything()) {
            return new Decision(Verdict.ALLOW, tool, null, null, null, "no rule applies: the policy is empty", null);
        }
        var spec = policy.tools().lookup(tool);
        if (spec.isPresent()) {
            for (ArgumentBinding binding : spec.get().arguments()) {
                List<String[]> values = new ArrayList<>();
                collect(arguments, binding.key().split("\\."), 0, "", values);
                for (String[] v : values) {
                    Decision d = judge(binding.kind(), v[0], v[1]);
                    if (d != null) {
                        return d;
                    }
                }
            }
            return allowed(null);
        }
        Decision d = heuristic(arguments, "", "");
        String note = "tool \"" + tool + "\" is not in the tool table; judged heuristically: "
                + (heuristics.isEmpty() ? "no argument looked like a path, command or URL" : String.join(", ", heuristics));
        if (d != null) {
            return new Decision(d.verdict(), d.tool(), d.rule(), d.argument(), d.value(), d.reason(), note);
        }
        return allowed(note);
    }

    private Decision allowed(String note) {
        String reason;
        if (checks == 0) {
            reason = "no rule applies to this call";
        } else if (firstAllowRule != null) {
            reason = "allowed by " + firstAllowRule.display() + (checks > 1 ? " (" + checks + " checks passed)" : "");
        } else {
            reason = checks + (checks == 1 ? " check" : " checks") + " passed; no deny rule matched";
        }
        return new Decision(Verdict.ALLOW, tool, firstAllowRule, null, null, reason, note);
    }

    /** Collects [argument path, string] pairs at a dotted key; arrays at any level are walked. */
    private static void collect(JsonNode node, String[] keys, int index, String path, List<String[]> out) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return;
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collect(node.get(i), keys, index, path + "[" + i + "]", out);
            }
            return;
        }
        if (index == keys.length) {
            if (node.isTextual()) {
                out.add(new String[] {path, node.textValue()});
            }
            return;
        }
        if (node.isObject()) {
            String key = keys[index];
            collect(node.get(key), keys, index + 1, path.isEmpty() ? key : path + "." + key, out);
        }
    }

    private Decision judge(ArgumentKind kind, String argument, String value) {
        return switch (kind) {
            case FILE_READ -> checkPath(argument, value, false, "\"" + tool + "\"");
            case FILE_WRITE -> checkPath(argument, value, true, "\"" + tool + "\"");
            case COMMAND -> checkCommand(argument, value, 0);
            case URL -> checkUrl(argument, value);
        };
    }

    // ---- files ----

    private Decision checkPath(String argument, String raw, boolean write, String actor) {
        return checkPath(argument, raw, write, actor, false);
    }

    /** @param denyOnly judge against deny rules only (for paths that are a guess, not a known access) */
    private Decision checkPath(String argument, String raw, boolean write, String actor, boolean denyOnly) {
        if (!fileRules) {
            return null;
        }
        for (NormalisedPath reading : paths.readings(raw)) {
            Decision d = checkReading(argument, raw, reading, write, actor, denyOnly);
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    private Decision checkReading(String argument, String raw, NormalisedPath path, boolean write, String actor, boolean denyOnly) {
        FileAccessRules rules = write ? policy.write() : policy.read();
        String section = write ? "files.write" : "files.read";
        String verb = write ? "write" : "read";
        if (!path.isValid()) {
            return block(MatchedRule.builtIn("NUL byte in path"), argument, printable(raw),
                    actor + " would " + verb + " a path with a NUL byte (" + path.invalidReason() + ")");
        }
        if (rules.isEmpty()) {
            return null;
        }
        checks++;
        String display = display(path);
        String shown = display + (sameAsWritten(path) ? "" : " (written \"" + printable(raw) + "\")");
        for (PathGlob g : rules.deny()) {
            if (g.matches(path, paths, false)) {
                return block(MatchedRule.pattern(section + ".deny", g.text()), argument, display,
                        actor + " would " + verb + " " + shown + ", denied by " + section + ".deny \"" + g.text() + "\"");
            }
        }
        if (rules.allow().isEmpty() || denyOnly) {
            return null;
        }
        for (PathGlob g : rules.allow()) {
            if (g.matches(path, paths, true)) {
                if (firstAllowRule == null) {
                    firstAllowRule = MatchedRule.pattern(section + ".allow", g.text());
                }
                return null;
            }
        }
        String why = path.insideRoot()
                ? "not covered by " + section + ".allow " + patterns(rules.allow())
                : "outside the project root " + paths.root() + ", and " + section + ".allow covers only paths inside it";
        return block(MatchedRule.noMatch(section + ".allow"), argument, display,
                actor + " would " + verb + " " + shown + ", " + why);
    }

    /** Relative inside the root, {@code ~/...} under home, else absolute. */
    private String display(NormalisedPath p) {
        if (!p.insideRoot()) {
            String underHome = paths.relativeToHome(p.absolute());
            if (underHome != null) {
                return underHome.isEmpty() ? "~" : "~/" + underHome;
            }
        }
        return p.display();
    }

    private boolean sameAsWritten(NormalisedPath p) {
        String written = p.input();
        return written.equals(display(p)) || written.equals("./" + p.display()) || written.equals(p.absolute());
    }

    /** Control characters (a NUL above all) shown as escapes, so a reason stays one printable line. */
    static String printable(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (b == null) {
                    b = new StringBuilder(s.substring(0, i));
                }
                b.append(c == '\n' ? "\\n" : c == '\t' ? "\\t" : String.format("\\u%04x", (int) c));
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }

    private static String patterns(List<PathGlob> globs) {
        List<String> texts = new ArrayList<>();
        for (PathGlob g : globs) {
            texts.add("\"" + g.text() + "\"");
        }
        return "[" + String.join(", ", texts) + "]";
    }

    // ---- network ----

    private Decision checkUrl(String argument, String value) {
        String text = value.trim();
        if (text.regionMatches(true, 0, "file:", 0, 5)) {
            return checkPath(argument, text, false, "\"" + tool + "\"");
        }
        if (!policy.network().denyAll()) {
            return null;
        }
        return checkHosts(argument, text, UrlHosts.hostsOf(text), "\"" + tool + "\" URL \"" + text + "\"");
    }

    private Decision checkHosts(String argument, String written, List<HostName> hosts, String actor) {
        if (!policy.network().denyAll()) {
            return null;
        }
        checks++;
        if (hosts.isEmpty()) {
            return block(MatchedRule.noMatch("network.allow"), argument, written,
                    actor + " names no host that can be checked, and network.deny_all is set");
        }
        outer:
        for (HostName h : hosts) {
            for (HostPattern p : policy.network().allow()) {
                if (p.matches(h)) {
                    if (firstAllowRule == null) {
                        firstAllowRule = MatchedRule.pattern("network.allow", p.text());
                    }
                    continue outer;
                }
            }
            return block(MatchedRule.noMatch("network.allow"), argument, h.canonical(),
                    actor + " reaches host " + h.display() + ", which network.allow does not list (network.deny_all is set)");
        }
        return null;
    }

    // ---- commands ----

    private boolean commandsMatter() {
        return !policy.commands().isEmpty() || fileRules || policy.network().denyAll();
    }

    private Decision checkCommand(String argument, String script, int depth) {
        if (!commandsMatter()) {
            return null;
        }
        List<SimpleCommand> commands;
        try {
            commands = ShellParser.parse(script, depth);
        } catch (ShellSyntaxException e) {
            return block(MatchedRule.builtIn("unjudgeable command"), argument, abbreviate(script),
                    "command cannot be judged: " + e.getMessage());
        }
        for (SimpleCommand c : commands) {
            Decision d = checkSimpleCommand(argument, c, depth);
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    private Decision checkSimpleCommand(String argument, SimpleCommand command, int depth) {
        ResolvedCommand resolved = CommandUnwrapper.resolve(command);
        String actor = "command \"" + abbreviate(command.source()) + "\"";
        CommandRules rules = policy.commands();
        if (resolved.runsProgram() && !rules.isEmpty()) {
            checks++;
            Invocation inner = resolved.innermost();
            if (inner.binaryIsComputed()) {
                return block(MatchedRule.builtIn("program only known at run time"), argument, command.source(),
                        actor + " runs a program whose name is only known at run time (" + inner.binaryWord().text()
                                + "), so the commands rules cannot judge it");
            }
            for (Invocation layer : resolved.layers()) {
                ParsedArguments parsed = OptionConventions.parse(layer.binary(), layer.argumentTexts());
                for (CommandPattern p : rules.deny()) {
                    if (p.matches(layer, parsed)) {
                        String runs = layer == resolved.layers().get(0) && resolved.layers().size() == 1
                                && command.source().equals(layer.display()) ? "" : " (runs " + abbreviate(layer.display()) + ")";
                        return block(MatchedRule.pattern("commands.deny", p.text()), argument, command.source(),
                                actor + runs + " is denied by commands.deny \"" + p.text() + "\"");
                    }
                }
            }
            boolean explicitlyAllowed = false;
            boolean handsOn = !resolved.nestedScripts().isEmpty();
            if (!rules.allow().isEmpty() && !handsOn) {
                ParsedArguments parsed = OptionConventions.parse(inner.binary(), inner.argumentTexts());
                for (CommandPattern p : rules.allow()) {
                    if (p.matches(inner, parsed)) {
                        explicitlyAllowed = true;
                        if (firstAllowRule == null) {
                            firstAllowRule = MatchedRule.pattern("commands.allow", p.text());
                        }
                        break;
                    }
                }
                if (!explicitlyAllowed) {
                    return block(MatchedRule.noMatch("commands.allow"), argument, command.source(),
                            actor + " runs " + inner.binary() + ", which commands.allow does not list");
                }
            }
            if (resolved.scriptFromStdin() && !explicitlyAllowed) {
                return block(MatchedRule.builtIn("shell script from stdin"), argument, command.source(),
                        actor + " runs a shell that reads its script from standard input, which cannot be judged");
            }
        }
        for (FileOperand op : CommandFileAccess.of(resolved)) {
            for (String p : expander.expand(op.path(), op.word().unquotedGlob())) {
                Decision d = checkPath(argument, p, op.write(), actor);
                if (d != null) {
                    return d;
                }
            }
        }
        if (resolved.runsProgram() && (fileRules || !policy.commands().isEmpty())) {
            InlineCode.Findings code = InlineCode.of(resolved.innermost());
            for (String literal : code.paths()) {
                Decision d = checkPath(argument, literal, false, actor + " (a path in its inline code)", true);
                if (d != null) {
                    return d;
                }
            }
            for (String script : code.scripts()) {
                Decision d = checkCommand(argument, script, depth + 1);
                if (d != null) {
                    return d;
                }
            }
        }
        if (policy.network().denyAll()) {
            for (NetworkTarget t : CommandNetworkAccess.of(resolved)) {
                Decision d = checkHosts(argument, t.written(), t.hosts(),
                        actor + " (" + t.how() + " \"" + abbreviate(t.written()) + "\")");
                if (d != null) {
                    return d;
                }
            }
        }
        for (String nested : resolved.nestedScripts()) {
            Decision d = checkCommand(argument, nested, depth + 1);
            if (d != null) {
                return d;
            }
        }
        for (SimpleCommand nested : resolved.nestedCommands()) {
            Decision d = checkSimpleCommand(argument, nested, depth + 1);
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    private static String abbreviate(String s) {
        String oneLine = s.replace('\n', ' ');
        return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 117) + "...";
    }

    // ---- unknown tools ----

    private Decision heuristic(JsonNode node, String path, String key) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> f : node.properties()) {
                Decision d = heuristic(f.getValue(), path.isEmpty() ? f.getKey() : path + "." + f.getKey(), f.getKey());
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                Decision d = heuristic(node.get(i), path + "[" + i + "]", key);
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (!node.isTextual()) {
            return null;
        }
        String value = node.textValue();
        String k = key.toLowerCase(Locale.ROOT);
        String actor = "\"" + tool + "\"";
        if (UrlHosts.hasScheme(value.trim())) {
            heuristics.add(path + " as URL");
            return checkUrl(path, value);
        }
        if (COMMAND_KEYS.contains(k)) {
            heuristics.add(path + " as command");
            return checkCommand(path, value, 0);
        }
        if (HOST_KEYS.contains(k)) {
            heuristics.add(path + " as host");
            HostName h = HostName.parse(value.trim());
            return checkHosts(path, value, h == null ? List.of() : List.of(h), actor + " host \"" + value + "\"");
        }
        if (URL_KEYS.contains(k)) {
            heuristics.add(path + " as URL");
            return checkUrl(path, value);
        }
        if (isPathKey(k) || looksLikePath(value)) {
            boolean write = WRITE_TOOL.matcher(tool).matches() || WRITE_KEYS.contains(k);
            heuristics.add(path + (write ? " as path (read and write)" : " as path (read)"));
            Decision d = checkPath(path, value, false, actor);
            if (d == null && write) {
                d = checkPath(path, value, true, actor);
            }
            return d;
        }
        return null;
    }

    private static boolean isPathKey(String k) {
        return k.contains("path") || k.contains("file") || k.contains("dir") || k.contains("folder") || PATH_KEYS.contains(k);
    }

    private static boolean looksLikePath(String v) {
        if (v.isEmpty() || v.length() > 4096) {
            return false;
        }
        if (v.indexOf('\0') >= 0) {
            return true;
        }
        for (int i = 0; i < v.length(); i++) {
            if (Character.isWhitespace(v.charAt(i))) {
                return false;
            }
        }
        return v.startsWith("/") || v.startsWith("~") || v.startsWith("./") || v.startsWith("../")
                || v.startsWith(".\\") || v.startsWith("..\\") || v.equals("..") || DOTFILE.matcher(v).matches()
                || WINDOWS_DRIVE.matcher(v).matches();
    }

    private Decision block(MatchedRule rule, String argument, String value, String reason) {
        return new Decision(Verdict.BLOCK, tool, rule, argument, value == null ? null : printable(value), printable(reason), null);
    }
}
