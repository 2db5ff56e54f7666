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
import dev.agenttrace.rules.scope.paths.GlobTranslator;
import dev.agenttrace.rules.scope.shell.BraceExpansion;
import dev.agenttrace.rules.scope.shell.ProgramTable;
import dev.agenttrace.rules.scope.shell.Redirection;
import dev.agenttrace.rules.scope.shell.ShellWord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The judgement of one call: short-lived, single-threaded; see {@link ScopeEvaluator} for the semantics. */
final class CallJudgement {
    private static final Set<String> COMMAND_KEYS = Set.of("command", "cmd", "script", "shell", "commandline",
            "command_line", "bash", "sh", "shell_command");
    private static final Set<String> PATH_KEYS = Set.of("source", "src", "destination", "dest", "dst", "target", "cwd",
            "root", "location", "output", "input", "from", "to");
    private static final Set<String> URL_KEYS = Set.of("url", "uri", "endpoint", "href", "link", "base_url", "baseurl");
    /** Arguments of known tools that carry data, not paths: never judged heuristically. */
    private static final Set<String> CONTENT_KEYS = Set.of("content", "text", "new_string", "old_string", "edits", "new_source",
            "file_text", "message", "description", "prompt", "query", "pattern", "todos", "replace_all", "cell_id", "cell_type",
            "edit_mode", "output_mode", "glob", "type", "head_limit", "offset", "limit", "timeout", "run_in_background", "-i", "-n",
            "-a", "-b", "-c", "multiline", "old_str", "new_str", "instructions", "explanation", "is_background", "justification",
            "language", "encoding", "dryrun", "excludepatterns", "expected_replacements", "insert_line", "view_range", "head", "tail",
            "include_pattern", "case_sensitive", "with_escalated_permissions", "timeout_ms", "max_output_tokens", "yield_time_ms",
            "should_read_entire_file", "start_line_one_indexed", "end_line_one_indexed_inclusive", "code_edit", "regex", "plan");
    private static final Set<String> CODE_KEYS = Set.of("code", "source_code", "sourcecode", "program", "snippet", "python",
            "javascript", "js", "typescript", "ruby", "perl", "php", "lua", "sql_script", "expression", "eval");
    private static final Set<String> STDIN_KEYS = Set.of("input", "stdin", "keys", "chars");
    private static final Pattern PROCESS_TOOL = Pattern.compile("(?i).*(shell|bash|terminal|process|exec|repl|tty|pty|interact).*");
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
    private final ProtectedPaths protection;
    /** Whether anything undetermined is refused: not under a policy that allows everything. */
    private final boolean strict;
    private MatchedRule firstAllowRule;
    private int checks;
    private final List<String> heuristics = new ArrayList<>();
    /** The first thing found that the firewall cannot see; decides if nothing blocks outright. */
    private Decision undetermined;

    private static final String PROTECTED_WHY = ", which the firewall protects whatever the policy says (its own policy,"
            + " watch and trace files, and the agents' hook and MCP configuration); a person can edit it, or the policy can set"
            + " \"protect\": false";

    CallJudgement(ScopePolicy policy, String tool, JsonNode arguments, PathNormaliser paths, ProtectedPaths protection) {
        this.policy = policy;
        this.tool = tool;
        this.arguments = arguments;
        this.paths = paths;
        this.expander = new ShellPathExpander(paths);
        this.fileRules = !policy.read().isEmpty() || !policy.write().isEmpty();
        this.protection = protection;
        this.strict = !policy.allowsEverything();
    }

    Decision run() {
        if (policy.allowsEverything() && !policy.protect()) {
            return new Decision(Verdict.ALLOW, tool, null, null, null, "no rule applies: the policy is empty", null);
        }
        var spec = policy.tools().lookup(tool);
        if (spec.isPresent()) {
            for (ArgumentBinding binding : spec.get().arguments()) {
                List<String[]> values = new ArrayList<>();
                collect(arguments, binding.key().split("\\."), 0, "", values);
                if (values.isEmpty() && binding.kind() == ArgumentKind.TREE_READ) {
                    values.add(new String[] {binding.key() + " (absent: the whole root)", "."});
                }
                if (binding.kind() == ArgumentKind.COMMAND) {
                    Decision d = argvShapes(binding.key());
                    if (d != null) {
                        return d;
                    }
                }
                for (String[] v : values) {
                    Decision d = judge(binding.kind(), v[0], v[1]);
                    if (d != null) {
                        return d;
                    }
                }
            }
            if (!spec.get().arguments().isEmpty() && arguments != null && arguments.isObject()) {
                // arguments the table does not bind (another agent's spelling: file_path for path, absolute_path, ...)
                Set<String> bound = new HashSet<>();
                for (ArgumentBinding b : spec.get().arguments()) {
                    bound.add(b.key().split("\\.")[0]);
                }
                for (Map.Entry<String, JsonNode> f : arguments.properties()) {
                    if (bound.contains(f.getKey()) || CONTENT_KEYS.contains(f.getKey().toLowerCase(Locale.ROOT))) {
                        continue;
                    }
                    Decision d = heuristic(f.getValue(), f.getKey(), f.getKey());
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
        if (undetermined != null) {
            return note == null ? undetermined : new Decision(undetermined.verdict(), undetermined.tool(), undetermined.rule(),
                    undetermined.argument(), undetermined.value(), undetermined.reason(), note);
        }
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
            case TREE_READ -> fileRules || policy.protect() ? checkTree(argument, value, false, "\"" + tool + "\"") : null;
            case CODE -> undeterminedNow(MatchedRule.builtIn("undetermined"), argument, value, "\"" + tool + "\" runs "
                    + argument + " as code the firewall does not model", "declare the tool in the policy's tools section to say what it touches");
            case PATCH -> checkPatch(argument, value);
        };
    }

    // ---- files ----

    private Decision checkPath(String argument, String raw, boolean write, String actor) {
        return checkPath(argument, raw, write, actor, false);
    }

    /** @param denyOnly judge against deny rules only (for paths that are a guess, not a known access) */
    private Decision checkPath(String argument, String raw, boolean write, String actor, boolean denyOnly) {
        return checkPath(argument, raw, write, actor, denyOnly, null);
    }

    /** @param readings the readings of {@code raw} when the caller knows them, else null (they are worked out) */
    private Decision checkPath(String argument, String raw, boolean write, String actor, boolean denyOnly,
                               List<NormalisedPath> readings) {
        if (readings == null) {
            Decision d = refusedAsWritten(argument, raw, write, actor, denyOnly);
            if (d != null) {
                return d;
            }
        }
        if (write) {
            Decision d = checkProtected(argument, raw, actor, readings);
            if (d != null) {
                return d;
            }
        }
        if (!fileRules) {
            return null;
        }
        for (NormalisedPath reading : readings != null ? readings : paths.readings(raw)) {
            Decision d = checkReading(argument, raw, reading, write, actor, denyOnly);
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    /**
     * The refusal of the path as written ({@link PathNormaliser#asWritten}: no link followed, no
     * file system call), or null. That reading is one of the path's readings, and a path passes only
     * if every reading passes, so a refusal here stands whatever the links say; a path it lets
     * through is then judged under all its readings. Most refused paths (a denied name, a write
     * outside the allowed tree) are refused here without a realpath(3). Counts no check and
     * records no allow rule: the full judgement that follows does.
     */
    private Decision refusedAsWritten(String argument, String raw, boolean write, String actor, boolean denyOnly) {
        NormalisedPath path = paths.asWritten(raw);
        if (!path.isValid()) {
            return null;
        }
        if (write && policy.protect() && protection.protecting(path, paths) != null) {
            String display = display(path);
            return block(MatchedRule.builtIn("protected file"), argument, display, actor + " would write " + display
                    + (sameAsWritten(path) ? "" : " (written \"" + printable(raw) + "\")") + PROTECTED_WHY);
        }
        if (!fileRules) {
            return null;
        }
        FileAccessRules rules = write ? policy.write() : policy.read();
        if (rules.isEmpty()) {
            return null;
        }
        for (PathGlob g : rules.deny()) {
            if (g.matches(path, paths, false)) {
                return checkReading(argument, raw, path, write, actor, denyOnly);
            }
        }
        if (rules.allow().isEmpty() || denyOnly) {
            return null;
        }
        for (PathGlob g : rules.allow()) {
            if (g.matches(path, paths, true)) {
                return null;
            }
        }
        return checkReading(argument, raw, path, write, actor, denyOnly);
    }

    /** A write to a protected file or directory ({@link ProtectedPaths}), whatever the policy says. */
    private Decision checkProtected(String argument, String raw, String actor) {
        return checkProtected(argument, raw, actor, null);
    }

    private Decision checkProtected(String argument, String raw, String actor, List<NormalisedPath> readings) {
        if (!policy.protect()) {
            return null;
        }
        for (NormalisedPath reading : readings != null ? readings : paths.readings(raw)) {
            if (!reading.isValid()) {
                continue;
            }
            String what = protection.protecting(reading, paths);
            if (what != null) {
                String display = display(reading);
                return block(MatchedRule.builtIn("protected file"), argument, display, actor + " would write " + display
                        + (sameAsWritten(reading) ? "" : " (written \"" + printable(raw) + "\")") + PROTECTED_WHY);
            }
        }
        return null;
    }

    /** Records the first thing that cannot be seen; returns null so the judgement goes on (a block found later wins). */
    private void undetermined(MatchedRule rule, String argument, String value, String what, String howToAllow) {
        if (!strict || undetermined != null) {
            return;
        }
        String reason = "undetermined: " + what + (howToAllow == null ? "" : "; " + howToAllow);
        undetermined = new Decision(Verdict.UNDETERMINED, tool, rule, argument, value == null ? null : printable(abbreviate(value)),
                printable(reason), null);
    }

    private Decision undeterminedNow(MatchedRule rule, String argument, String value, String what, String howToAllow) {
        undetermined(rule, argument, value, what, howToAllow);
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
        for (PathGlob g : rules.deny()) {
            if (g.matches(path, paths, false)) {
                String display = display(path);
                String shown = display + (sameAsWritten(path) ? "" : " (written \"" + printable(raw) + "\")");
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
        String display = display(path);
        String shown = display + (sameAsWritten(path) ? "" : " (written \"" + printable(raw) + "\")");
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
        if (text.indexOf(' ') >= 0 || text.indexOf('\n') >= 0) {
            // free text holding URLs (Gemini's web_fetch prompt): each URL in it
            for (UrlHosts.FoundUrl url : UrlHosts.findUrls(text)) {
                Decision d = url.isFile() ? checkPath(argument, url.text(), false, "\"" + tool + "\"") : checkUrl(argument, url.text());
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
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

    /**
     * What the command line has set up so far, over-approximated: every directory a {@code cd} may
     * have made current (a failed {@code cd} leaves the old one, so none is ever dropped), and every
     * value a variable may hold.
     */
    private static final class ShellState {
        final List<String> cwds = new ArrayList<>(List.of(""));
        boolean cwdUnknown;
        final Map<String, List<String>> vars = new HashMap<>();
        final Set<String> unknownVars = new HashSet<>();
    }

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)\\}|\\$([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern ASSIGNMENT = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*)(?:\\[[^\\]]*\\])?\\+?=(.*)", Pattern.DOTALL);
    private static final Set<String> DECLARERS = Set.of("export", "declare", "typeset", "local", "readonly");
    private static final Set<String> ARGUMENT_ONLY = Set.of("echo", "printf", "true", "false", "test", "[", "kill", "sleep");
    private static final int MAX_VARIANTS = 16;
    private static final int MAX_CWDS = 8;
    private static final int MAX_TREE_ENTRIES = 5000;

    private ShellState shell;

    private boolean commandsMatter() {
        return !policy.commands().isEmpty() || fileRules || policy.network().denyAll() || policy.protect();
    }

    private Decision checkCommand(String argument, String script, int depth) {
        if (!commandsMatter()) {
            return null;
        }
        boolean top = shell == null;
        if (top) {
            shell = new ShellState();
        }
        try {
            List<SimpleCommand> commands;
            try {
                commands = ShellParser.parse(script, depth);
            } catch (ShellSyntaxException e) {
                return undeterminedNow(MatchedRule.builtIn("unjudgeable command"), argument, abbreviate(script),
                        "command cannot be judged: " + e.getMessage(), null);
            }
            for (SimpleCommand c : commands) {
                Decision d = checkSimpleCommand(argument, c, depth, null);
                if (d != null) {
                    return d;
                }
            }
            return null;
        } finally {
            if (top) {
                shell = null;
            }
        }
    }

    /** @param findRoots for a command run by {@code find -exec}: the trees its {@code {}} stands for, else null */
    private Decision checkSimpleCommand(String argument, SimpleCommand command, int depth, List<String> findRoots) {
        String actor = "command \"" + abbreviate(command.source()) + "\"";
        List<SimpleCommand> variants = variants(argument, command, actor);
        for (SimpleCommand v : variants) {
            Decision d = judgeVariant(argument, v, depth, findRoots);
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    /**
     * The command as bash would run it after brace expansion and the expansion of variables
     * assigned earlier in the command line: one variant per combination of possible values.
     */
    private List<SimpleCommand> variants(String argument, SimpleCommand command, String actor) {
        boolean work = false;
        for (ShellWord w : command.words()) {
            work |= w.expansion() || w.braces();
        }
        for (Redirection r : command.redirections()) {
            work |= r.target().expansion() || r.target().braces();
        }
        if (!work) {
            return List.of(command);
        }
        List<List<ShellWord>> variantWords = new ArrayList<>();
        variantWords.add(new ArrayList<>());
        for (ShellWord w : command.words()) {
            List<List<ShellWord>> alternatives = alternatives(argument, w, actor);
            List<List<ShellWord>> next = new ArrayList<>();
            for (List<ShellWord> prefix : variantWords) {
                for (List<ShellWord> alt : alternatives) {
                    List<ShellWord> joined = new ArrayList<>(prefix);
                    joined.addAll(alt);
                    next.add(joined);
                }
            }
            if (next.size() > MAX_VARIANTS) {
                undetermined(MatchedRule.builtIn("undetermined"), argument, command.source(), actor
                        + " has more than " + MAX_VARIANTS + " readings once its variables are expanded", null);
                next = next.subList(0, MAX_VARIANTS);
            }
            variantWords = next;
        }
        List<Redirection> redirections = new ArrayList<>();
        for (Redirection r : command.redirections()) {
            for (List<ShellWord> alt : alternatives(argument, r.target(), actor)) {
                for (ShellWord t : alt) {
                    redirections.add(new Redirection(r.operator(), t));
                }
            }
        }
        List<SimpleCommand> out = new ArrayList<>();
        for (List<ShellWord> words : variantWords) {
            out.add(new SimpleCommand(words, redirections, command.hereDocument(), command.source()));
        }
        return out;
    }

    /** The readings of one word: each a list of words (brace expansion and word splitting make several). */
    private List<List<ShellWord>> alternatives(String argument, ShellWord w, String actor) {
        List<ShellWord> values = new ArrayList<>();
        if (w.expansion()) {
            for (String text : substitute(w.text())) {
                boolean resolved = text.indexOf('$') < 0 && text.indexOf('`') < 0;
                boolean glob = w.unquotedGlob() || !w.quoted() && (text.indexOf('*') >= 0 || text.indexOf('?') >= 0 || text.indexOf('[') >= 0);
                values.add(new ShellWord(text, w.quoted(), glob, !resolved, w.braces()));
            }
        } else {
            values.add(w);
        }
        List<List<ShellWord>> out = new ArrayList<>();
        for (ShellWord v : values) {
            List<ShellWord> words = new ArrayList<>();
            List<String> texts;
            if (v.braces()) {
                texts = BraceExpansion.expand(v.text());
                if (texts == null) {
                    undetermined(MatchedRule.builtIn("undetermined"), argument, w.text(), actor
                            + " brace-expands into more than " + BraceExpansion.MAX_WORDS + " words", null);
                    texts = List.of(v.text());
                }
            } else {
                texts = List.of(v.text());
            }
            for (String t : texts) {
                if (w.expansion() && !w.quoted() && !v.expansion() && t.indexOf(' ') >= 0) {
                    for (String part : t.trim().split("[ \\t\\n]+")) {
                        words.add(new ShellWord(part, false, v.unquotedGlob(), false, false));
                    }
                } else {
                    words.add(new ShellWord(t, v.quoted(), v.unquotedGlob(), v.expansion(), false));
                }
            }
            out.add(words);
        }
        return out;
    }

    /** Every text the word may become with the variables known so far ({@code $HOME}, {@code $PWD}, assignments). */
    private List<String> substitute(String text) {
        List<String> results = new ArrayList<>(List.of(text));
        Matcher m = VARIABLE.matcher(text);
        Set<String> names = new HashSet<>();
        while (m.find()) {
            names.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        for (String name : names) {
            List<String> values = valuesOf(name);
            if (values == null) {
                continue;
            }
            List<String> next = new ArrayList<>();
            for (String r : results) {
                for (String v : values) {
                    next.add(replaceVariable(r, name, v));
                    if (next.size() >= MAX_VARIANTS) {
                        break;
                    }
                }
            }
            results = next;
        }
        return results;
    }

    private List<String> valuesOf(String name) {
        if (shell != null && shell.unknownVars.contains(name)) {
            return null;
        }
        List<String> assigned = shell == null ? null : shell.vars.get(name);
        if (assigned != null) {
            return assigned;
        }
        return switch (name) {
            case "HOME" -> paths.serverHome() == null ? List.of(paths.home()) : List.of(paths.home(), paths.serverHome());
            case "PWD" -> List.of(paths.root());
            default -> null;
        };
    }

    private static String replaceVariable(String text, String name, String value) {
        String braced = text.replace("${" + name + "}", Matcher.quoteReplacement(value).replace("\\$", "$").replace("\\\\", "\\"));
        StringBuilder b = new StringBuilder();
        int from = 0;
        int at;
        String plain = "$" + name;
        while ((at = braced.indexOf(plain, from)) >= 0) {
            int end = at + plain.length();
            boolean whole = end >= braced.length() || !(Character.isLetterOrDigit(braced.charAt(end)) || braced.charAt(end) == '_');
            b.append(braced, from, at).append(whole ? value : plain);
            from = end;
        }
        return b.append(braced.substring(from)).toString();
    }

    private Decision judgeVariant(String argument, SimpleCommand command, int depth, List<String> findRoots) {
        ResolvedCommand resolved = CommandUnwrapper.resolve(command);
        String actor = "command \"" + abbreviate(command.source()) + "\"";
        CommandRules rules = policy.commands();
        List<String> cannotSee = new ArrayList<>();
        List<FileOperand> extraFiles = new ArrayList<>();
        List<String> extraScripts = new ArrayList<>();
        String chdir = null;
        boolean trusted = resolved.runsProgram() && trusted(resolved);
        if (resolved.runsProgram()) {
            Invocation inner = resolved.innermost();
            for (Invocation layer : resolved.layers()) {
                if (layer.binaryIsComputed()) {
                    cannotSee.add("runs a program whose name is only known at run time (" + layer.binaryWord().text() + ")");
                } else if (isGlob(layer.binaryWord())) {
                    cannotSee.add("runs a program named by a glob (" + layer.binaryWord().text() + "), which may expand to any program");
                }
            }
            if (!rules.isEmpty()) {
                checks++;
                if (inner.binaryIsComputed()) {
                    return block(MatchedRule.builtIn("program only known at run time"), argument, command.source(),
                            actor + " runs a program whose name is only known at run time (" + inner.binaryWord().text()
                                    + "), so the commands rules cannot judge it");
                }
                for (Invocation layer : resolved.layers()) {
                    ParsedArguments parsed = OptionConventions.parse(layer);
                    for (CommandPattern p : rules.deny()) {
                        if (p.matches(layer, parsed) || isGlob(layer.binaryWord()) && globMayName(layer.binary(), p)) {
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
                    ParsedArguments parsed = OptionConventions.parse(inner);
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
                if (resolved.scriptFromStdin() && !explicitlyAllowed && !trusted) {
                    return block(MatchedRule.builtIn("shell script from stdin"), argument, command.source(),
                            actor + " runs a shell that reads its script from standard input, which cannot be judged");
                }
            }
            if (resolved.scriptFromStdin()) {
                cannotSee.add("runs a shell that reads its script from standard input");
            }
            String program = inner.binary();
            if (CommandUnwrapper.isShell(program) || program.equals("source") || program.equals(".")) {
                String file = program.equals("source") || program.equals(".") ? firstPositional(inner)
                        : CommandUnwrapper.shellScriptFile(inner);
                if (file != null && (file.equals("/dev/stdin") || file.startsWith("/dev/fd/") || file.startsWith("/proc/self/fd/")
                        || file.startsWith("<(") || inner.arguments().stream().anyMatch(w -> w.text().startsWith("<(")))) {
                    if (command.hereDocument() != null) {
                        extraScripts.add(command.hereDocument());
                    } else {
                        cannotSee.add("runs a script from " + file + ", whose content the firewall cannot see");
                    }
                } else if (file != null && !program.equals("source") && !program.equals(".")) {
                    extraFiles.add(new FileOperand(ShellWord.literal(file), file, false, program + " (its script)"));
                }
            }
            for (int k = 0; k + 1 < resolved.layers().size(); k++) {
                if (resolved.layers().get(k).binary().equals("xargs") && !ARGUMENT_ONLY.contains(program)) {
                    cannotSee.add("xargs runs " + program + " with arguments read from standard input, which the firewall cannot see");
                    break;
                }
            }
            String language = InlineCode.languageOf(program);
            if (language != null) {
                List<String> code = InlineCode.codeOf(inner);
                if (!code.isEmpty()) {
                    for (String c : code) {
                        if (!InlineCode.harmless(language, c)) {
                            cannotSee.add("runs inline " + language + " code, whose effects the firewall cannot see");
                            break;
                        }
                    }
                } else if (InlineCode.readsProgramFromStdin(inner)) {
                    if (command.hereDocument() != null && InlineCode.harmless(language, command.hereDocument())) {
                        // a here-document of harmless code
                    } else {
                        cannotSee.add("runs " + language + " code read from standard input, which the firewall cannot see");
                    }
                } else {
                    String file = InlineCode.scriptFile(inner);
                    if (file != null) {
                        extraFiles.add(new FileOperand(ShellWord.literal(file), file, false, program + " (its script)"));
                    }
                }
            }
            ProgramTable.Effects effects = ProgramTable.of(inner);
            cannotSee.addAll(effects.cannotSee());
            extraFiles.addAll(effects.files());
            extraScripts.addAll(effects.scripts());
            chdir = effects.chdir();
        }
        List<FileOperand> operands = new ArrayList<>(CommandFileAccess.of(resolved));
        operands.addAll(extraFiles);
        for (FileOperand op : operands) {
            Decision d = checkOperand(argument, op, chdir, actor, findRoots, cannotSee);
            if (d != null) {
                return d;
            }
        }
        if (resolved.runsProgram() && (fileRules || !policy.commands().isEmpty() || policy.protect())) {
            InlineCode.Findings code = InlineCode.of(resolved.innermost());
            for (String literal : code.paths()) {
                Decision d = checkProtected(argument, literal, actor + " (a path in its inline code)");
                if (d == null && fileRules) {
                    d = checkPath(argument, literal, false, actor + " (a path in its inline code)", true);
                }
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
        List<String> scripts = new ArrayList<>(resolved.nestedScripts());
        scripts.addAll(extraScripts);
        for (String nested : scripts) {
            Decision d = checkCommand(argument, nested, depth + 1);
            if (d != null) {
                return d;
            }
        }
        List<String> roots = resolved.runsProgram() && resolved.innermost().binary().equals("find")
                ? ProgramTable.findRoots(resolved.innermost().argumentTexts()) : null;
        for (SimpleCommand nested : resolved.nestedCommands()) {
            Decision d = checkSimpleCommand(argument, nested, depth + 1, roots);
            if (d != null) {
                return d;
            }
        }
        remember(command, resolved);
        if (!cannotSee.isEmpty() && !trusted) {
            undetermined(MatchedRule.builtIn("undetermined"), argument, command.source(),
                    actor + " " + cannotSee.get(0), resolved.runsProgram() ? trustHint(resolved.innermost()) : null);
        }
        return null;
    }

    /** Judges one file a command touches, from every directory it may run in. */
    private Decision checkOperand(String argument, FileOperand op, String chdir, String actor, List<String> findRoots,
                                  List<String> cannotSee) {
        boolean matters = op.write() ? writeMatters() : !policy.read().isEmpty();
        if (!matters) {
            return null;
        }
        String raw = op.path();
        if (findRoots != null && raw.contains("{}")) {
            for (String root : findRoots) {
                Decision d = checkOperand(argument, new FileOperand(ShellWord.literal(root), raw.replace("{}", root), op.write(),
                        op.how() + " on what find finds", true), chdir, actor, null, cannotSee);
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (op.word().expansion() || raw.contains("$(") || raw.indexOf('`') >= 0 || raw.contains("${") || hasVariable(raw)) {
            cannotSee.add("(" + op.how() + ") " + (op.write() ? "writes" : "reads") + " a path only known at run time (" + raw + ")");
            return null;
        }
        for (String expanded : expander.expand(raw, op.word().unquotedGlob())) {
            for (String candidate : fromWorkingDirectories(expanded, chdir, cannotSee, op.how())) {
                Decision d = op.recursive()
                        ? checkTree(argument, candidate, op.write(), actor + " (" + op.how() + ")")
                        : checkPath(argument, candidate, op.write(), actor);
                if (d != null) {
                    return d;
                }
            }
        }
        return null;
    }

    private static boolean hasVariable(String raw) {
        int d = raw.indexOf('$');
        return d >= 0 && d + 1 < raw.length() && (Character.isLetter(raw.charAt(d + 1)) || raw.charAt(d + 1) == '_'
                || "0123456789#?$!@*-{(".indexOf(raw.charAt(d + 1)) >= 0);
    }

    private boolean writeMatters() {
        return !policy.write().isEmpty() || policy.protect();
    }

    /** The path as seen from each directory the command may run in ({@code cd}, {@code git -C}). */
    private List<String> fromWorkingDirectories(String path, String chdir, List<String> cannotSee, String how) {
        boolean absolute = path.startsWith("/") || path.startsWith("~") || path.regionMatches(true, 0, "file:", 0, 5)
                || WINDOWS_DRIVE.matcher(path).matches();
        if (absolute) {
            return List.of(path);
        }
        List<String> bases = shell == null ? List.of("") : shell.cwds;
        if (shell != null && shell.cwdUnknown) {
            cannotSee.add("(" + how + ") names " + path + " relative to a directory only known at run time (cd)");
        }
        List<String> out = new ArrayList<>(bases.size());
        for (String base : bases) {
            String b = chdir == null ? base : join(base, chdir);
            out.add(b.isEmpty() ? path : join(b, path));
        }
        return out;
    }

    private static String join(String base, String path) {
        if (base.isEmpty() || path.startsWith("/") || path.startsWith("~")) {
            return path;
        }
        return base.endsWith("/") ? base + path : base + "/" + path;
    }

    /** Variables, loop words and directories a command sets up for the ones after it. */
    private void remember(SimpleCommand command, ResolvedCommand resolved) {
        if (shell == null) {
            return;
        }
        List<ShellWord> words = command.words();
        int i = 0;
        while (i < words.size() && !words.get(i).quoted() && (words.get(i).text().equals("!") || words.get(i).text().equals("{")
                || words.get(i).text().equals("then") || words.get(i).text().equals("do") || words.get(i).text().equals("else"))) {
            i++;
        }
        if (i < words.size() && !words.get(i).quoted() && (words.get(i).text().equals("for") || words.get(i).text().equals("select"))
                && i + 1 < words.size()) {
            String name = words.get(i + 1).text();
            List<String> values = new ArrayList<>();
            boolean known = true;
            for (int k = i + 3; k < words.size(); k++) {
                ShellWord w = words.get(k);
                if (w.expansion()) {
                    known = false;
                }
                values.addAll(expander.expand(w.text(), w.unquotedGlob()));
            }
            assign(name, values, known && i + 2 < words.size() && words.get(i + 2).text().equals("in"));
            return;
        }
        if (i < words.size() && !words.get(i).quoted() && DECLARERS.contains(words.get(i).text())) {
            i++;
        }
        for (; i < words.size(); i++) {
            ShellWord w = words.get(i);
            Matcher m = ASSIGNMENT.matcher(w.text());
            if (w.text().startsWith("-")) {
                continue;
            }
            if (!m.matches()) {
                break;
            }
            assign(m.group(1), List.of(m.group(2)), !w.expansion());
        }
        if (!resolved.runsProgram()) {
            return;
        }
        Invocation inner = resolved.innermost();
        switch (inner.binary()) {
            case "read", "mapfile", "readarray", "getopts" -> {
                for (ShellWord w : inner.arguments()) {
                    if (!w.text().startsWith("-") && w.text().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                        shell.unknownVars.add(w.text());
                    }
                }
                if (inner.binary().equals("read") || inner.binary().equals("mapfile") || inner.binary().equals("readarray")) {
                    shell.unknownVars.add("REPLY");
                    shell.unknownVars.add("MAPFILE");
                }
            }
            case "cd", "pushd", "chdir" -> {
                String target = null;
                boolean computed = false;
                for (ShellWord w : inner.arguments()) {
                    if (w.text().startsWith("-") && !w.text().equals("-")) {
                        continue;
                    }
                    target = w.text();
                    computed = w.expansion();
                    break;
                }
                if (target == null) {
                    target = "~";
                }
                if (computed || target.equals("-") || target.startsWith("+")) {
                    shell.cwdUnknown = true;
                    return;
                }
                List<String> next = new ArrayList<>(shell.cwds);
                for (String base : shell.cwds) {
                    for (String t : expander.expand(target, false)) {
                        String c = join(base, t);
                        if (!next.contains(c)) {
                            next.add(c);
                        }
                    }
                }
                if (next.size() > MAX_CWDS) {
                    shell.cwdUnknown = true;
                } else {
                    shell.cwds.clear();
                    shell.cwds.addAll(next);
                }
            }
            default -> {
            }
        }
    }

    private void assign(String name, List<String> values, boolean known) {
        if (!known) {
            shell.unknownVars.add(name);
            return;
        }
        List<String> list = shell.vars.computeIfAbsent(name, k -> new ArrayList<>());
        for (String v : values) {
            if (!list.contains(v)) {
                list.add(v);
            }
        }
        if (list.size() > MAX_VARIANTS) {
            shell.unknownVars.add(name);
        }
    }

    private static String firstPositional(Invocation inv) {
        for (ShellWord w : inv.arguments()) {
            if (!w.text().startsWith("-")) {
                return w.text();
            }
        }
        return null;
    }

    /** An unquoted word bash would glob-expand: {@code cu?l}, not {@code [} (an unmatched bracket is literal). */
    private static boolean isGlob(ShellWord w) {
        if (!w.unquotedGlob() || w.text().equals("[") || w.text().equals("[[")) {
            return false;
        }
        try {
            Pattern.compile(GlobTranslator.toRegex(w.text(), true));
            return w.text().indexOf('*') >= 0 || w.text().indexOf('?') >= 0 || w.text().indexOf('[') >= 0 && w.text().indexOf(']') > w.text().indexOf('[');
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Whether a program name that is a glob ({@code cu?l}) could name the denied program. */
    private static boolean globMayName(String globName, CommandPattern deny) {
        try {
            return Pattern.compile(GlobTranslator.toRegex(globName, true)).matcher(deny.program()).matches();
        } catch (RuntimeException e) {
            return true;
        }
    }

    /** A {@code commands.trust} entry matches a layer, or a specific {@code commands.allow} entry matches the program. */
    private boolean trusted(ResolvedCommand resolved) {
        CommandRules rules = policy.commands();
        if (rules.trust().isEmpty() && rules.allow().isEmpty()) {
            return false;
        }
        for (Invocation layer : resolved.layers()) {
            ParsedArguments parsed = OptionConventions.parse(layer);
            for (CommandPattern p : rules.trust()) {
                if (p.matches(layer, parsed)) {
                    return true;
                }
            }
            for (CommandPattern p : rules.allow()) {
                if (p.isSpecific() && p.matches(layer, parsed)) {
                    return true;
                }
            }
        }
        return false;
    }

    private String trustHint(Invocation inner) {
        String entry = inner.binary();
        String language = InlineCode.languageOf(inner.binary());
        if (language != null && !InlineCode.codeOf(inner).isEmpty()) {
            for (String a : inner.argumentTexts()) {
                if (a.startsWith("-")) {
                    entry = inner.binary() + " " + (a.startsWith("--") ? a.replaceFirst("=.*", "") : a.substring(0, 2));
                    break;
                }
            }
        }
        return "add \"" + entry + "\" to commands.trust in " + policy.source() + " to let it run unseen";
    }

    // ---- trees ----

    /** A read or write of everything under a path: the path itself, then what lies under it. */
    private Decision checkTree(String argument, String raw, boolean write, String actor) {
        Decision d = checkPath(argument, raw, write, actor);
        if (d != null) {
            return d;
        }
        for (NormalisedPath reading : paths.readings(raw)) {
            if (!reading.isValid()) {
                continue;
            }
            String dir = reading.absolute();
            String display = display(reading);
            if (write && policy.protect()) {
                String p = protection.insideTree(dir);
                if (p != null) {
                    return block(MatchedRule.builtIn("protected file"), argument, display, actor + " would write the tree "
                            + display + ", which holds " + shown(p) + PROTECTED_WHY);
                }
            }
            FileAccessRules rules = write ? policy.write() : policy.read();
            if (rules.isEmpty()) {
                continue;
            }
            String section = write ? "files.write" : "files.read";
            boolean floating = false;
            for (PathGlob g : rules.deny()) {
                String prefix = g.fixedPrefix(paths);
                if (prefix == null) {
                    floating = true;
                } else if (!prefix.equals(dir) && ProtectedPaths.isUnder(prefix, dir) && java.nio.file.Files.exists(java.nio.file.Path.of(prefix))) {
                    return block(MatchedRule.pattern(section + ".deny", g.text()), argument, display, actor + " would "
                            + (write ? "write" : "read") + " the whole tree " + display + ", which holds " + shown(prefix)
                            + ", denied by " + section + ".deny \"" + g.text() + "\"");
                }
            }
            boolean covered = rules.allow().isEmpty();
            for (PathGlob g : rules.allow()) {
                covered |= g.matches(reading, paths, true);
            }
            if (!floating && covered) {
                continue;
            }
            java.nio.file.Path root = java.nio.file.Path.of(dir);
            if (!java.nio.file.Files.isDirectory(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            // the walk's entries are real paths only below a directory that is its own real path
            boolean realDir = dir.equals(paths.readings(dir).get(0).absolute());
            String inTree = actor + " (in the tree " + display + ")";
            Decision[] found = {null};
            int[] seen = {0};
            try {
                java.nio.file.Files.walkFileTree(root, java.util.EnumSet.noneOf(java.nio.file.FileVisitOption.class), 64,
                        new java.nio.file.SimpleFileVisitor<>() {
                            @Override
                            public java.nio.file.FileVisitResult preVisitDirectory(java.nio.file.Path p,
                                                                                   java.nio.file.attribute.BasicFileAttributes a) {
                                return visit(p, a);
                            }

                            @Override
                            public java.nio.file.FileVisitResult visitFile(java.nio.file.Path p, java.nio.file.attribute.BasicFileAttributes a) {
                                return visit(p, a);
                            }

                            @Override
                            public java.nio.file.FileVisitResult visitFileFailed(java.nio.file.Path p, java.io.IOException e) {
                                return java.nio.file.FileVisitResult.CONTINUE;
                            }

                            private java.nio.file.FileVisitResult visit(java.nio.file.Path p, java.nio.file.attribute.BasicFileAttributes a) {
                                if (++seen[0] > MAX_TREE_ENTRIES) {
                                    return java.nio.file.FileVisitResult.TERMINATE;
                                }
                                if (p.equals(root)) {
                                    return java.nio.file.FileVisitResult.CONTINUE;
                                }
                                String entry = p.toString();
                                // The walk starts at a real directory and follows no link, so an entry that is
                                // not a link is its own real path: judged without asking the file system again.
                                // A link, or a name with more than one reading, is normalised as any path is.
                                List<NormalisedPath> known = a != null && !a.isSymbolicLink() && !a.isOther() && realDir
                                        && paths.hasOneReading(entry) ? List.of(paths.ofKnownRealPath(entry)) : null;
                                found[0] = checkPath(argument, entry, write, inTree, false, known);
                                return found[0] != null ? java.nio.file.FileVisitResult.TERMINATE : java.nio.file.FileVisitResult.CONTINUE;
                            }
                        });
            } catch (java.io.IOException | SecurityException e) {
                undetermined(MatchedRule.builtIn("undetermined"), argument, display, actor + " " + (write ? "writes" : "reads")
                        + " the tree " + display + ", which the firewall could not list (" + e.getMessage() + ")", null);
            }
            if (found[0] != null) {
                return found[0];
            }
            if (seen[0] > MAX_TREE_ENTRIES) {
                undetermined(MatchedRule.builtIn("undetermined"), argument, display, actor + " " + (write ? "writes" : "reads")
                        + " the tree " + display + ", which holds more than " + MAX_TREE_ENTRIES + " entries; the firewall did not look at them all",
                        "name a smaller directory");
            }
        }
        return null;
    }

    private String shown(String absolute) {
        String rel = paths.relativeToRoot(absolute);
        if (rel != null) {
            return rel.isEmpty() ? "." : rel;
        }
        String home = paths.relativeToHome(absolute);
        return home != null ? (home.isEmpty() ? "~" : "~/" + home) : absolute;
    }

    private static String abbreviate(String s) {
        String oneLine = s.replace('\n', ' ');
        return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 117) + "...";
    }

    // ---- patches ----

    private static final Pattern PATCH_FILE = Pattern.compile(
            "(?m)^(?:\\*\\*\\* (?:Add|Update|Delete) File: |\\*\\*\\* Move to: |\\+\\+\\+ (?:b/)?|--- (?:a/)?|rename (?:from|to) |copy (?:from|to) )(.+?)\\s*$");

    /** Every file a patch (Codex's {@code *** Update File:} format or a unified diff) names is a write. */
    private Decision checkPatch(String argument, String patch) {
        Matcher m = PATCH_FILE.matcher(patch);
        boolean any = false;
        while (m.find()) {
            String file = m.group(1).trim();
            if (file.equals("/dev/null")) {
                continue;
            }
            int tab = file.indexOf('\t');
            file = tab < 0 ? file : file.substring(0, tab);
            any = true;
            Decision d = checkPath(argument, file, true, "\"" + tool + "\" (a file its patch changes)");
            if (d != null) {
                return d;
            }
        }
        if (!any && !patch.isBlank()) {
            undetermined(MatchedRule.builtIn("undetermined"), argument, patch, "\"" + tool + "\" applies a patch that names no file the firewall can read",
                    null);
        }
        return null;
    }

    // ---- argv arrays ----

    private static final Set<String> ARGV_KEYS = Set.of("args", "argv", "arguments", "params");

    /**
     * A command given as an argv array ({@code {"command": ["rm", "-rf", "x"]}}) or as a program
     * with an argument array beside it ({@code {"command": "git", "args": ["push"]}}) is judged as
     * the command line it runs, each element one word.
     */
    private Decision argvShapes(String key) {
        if (arguments == null || !arguments.isObject()) {
            return null;
        }
        return argvShapes(key, arguments.get(key), arguments);
    }

    private Decision argvShapes(String key, JsonNode command, JsonNode parent) {
        List<String> words = new ArrayList<>();
        if (command != null && command.isArray()) {
            for (JsonNode n : command) {
                words.add(n.isTextual() ? n.textValue() : n.toString());
            }
        } else if (command != null && command.isTextual()) {
            boolean sibling = false;
            for (String k : ARGV_KEYS) {
                JsonNode a = parent == null ? null : parent.get(k);
                if (a != null && a.isArray()) {
                    if (!sibling) {
                        words.add(command.textValue());
                        sibling = true;
                    }
                    for (JsonNode n : a) {
                        words.add(n.isTextual() ? n.textValue() : n.toString());
                    }
                }
            }
        }
        if (words.isEmpty()) {
            return null;
        }
        StringBuilder line = new StringBuilder();
        for (String w : words) {
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append('\'').append(w.replace("'", "'\\''")).append('\'');
        }
        heuristics.add(key + " as an argv array");
        return checkCommand(key, line.toString(), 0);
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
            if (COMMAND_KEYS.contains(key.toLowerCase(Locale.ROOT))) {
                heuristics.add(path + " as an argv array");
                Decision d = argvShapes(path, node, null);
                if (d != null) {
                    return d;
                }
            }
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
            Decision argv = path.indexOf('.') < 0 && path.indexOf('[') < 0 ? argvShapes(k) : null;
            return argv != null ? argv : checkCommand(path, value, 0);
        }
        if (CODE_KEYS.contains(k) && !value.isBlank()) {
            heuristics.add(path + " as code");
            undetermined(MatchedRule.builtIn("undetermined"), path, value, "\"" + tool + "\" is given code in \"" + path
                    + "\", whose effects the firewall cannot see", "declare the tool in the policy's tools section to say what it touches");
            return null;
        }
        if (STDIN_KEYS.contains(k) && PROCESS_TOOL.matcher(tool).matches() && !value.isEmpty()) {
            heuristics.add(path + " as process input");
            undetermined(MatchedRule.builtIn("undetermined"), path, value, "\"" + tool + "\" writes \"" + path
                    + "\" to a running process, which may be a shell", "declare the tool in the policy's tools section");
            return null;
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
