package dev.agenttrace.rules.watch;

import dev.agenttrace.rules.config.Spelling;
import dev.agenttrace.rules.scope.PolicyException;
import dev.agenttrace.rules.scope.ScopePolicy;
import dev.agenttrace.rules.scope.ScopePolicyParser;
import dev.agenttrace.rules.scope.ToolTable;
import dev.agenttrace.rules.scope.paths.GlobSyntaxException;
import dev.agenttrace.rules.scope.paths.PathGlob;
import dev.agenttrace.rules.config.LocatedJson;
import dev.agenttrace.rules.config.LocatedJson.Arr;
import dev.agenttrace.rules.config.LocatedJson.Field;
import dev.agenttrace.rules.config.LocatedJson.Node;
import dev.agenttrace.rules.config.LocatedJson.Obj;
import dev.agenttrace.rules.config.LocatedJson.Val;
import dev.agenttrace.store.cost.PriceTable;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code .agent-watch.json} and {@code .watch-rules.json} as strictly as the firewall reads
 * its policy: an unknown key, a wrong type, a value out of range, an unknown action or metric, a
 * condition that does not parse is a {@link WatchConfigException} with file, line, column, the
 * problem and the fix. agent-strace fell back to its defaults on any of these, silently.
 *
 * <p>One schema covers both files (every key optional; a rules file is one with only {@code rules}):
 * <pre>
 * {
 *   "watchers": {
 *     "retry":          { "max": 3 },                                  more than 3 retries of a failing call
 *     "loop":           { "sequence_length": 3, "max_repeats": 3,      A→B→C three times in a row
 *                         "window": 10, "max_same_calls": 3 },         the same call 3 times in 10 (optional)
 *     "cost":           { "max_dollars": 5.0, "model": "sonnet", "warn_at": 0.9 },
 *     "tokens":         { "max": 500000, "max_context_pct": 90 },
 *     "duration":       { "max_minutes": 15 },
 *     "scope":          { "policy": ".agent-scope.json" },
 *     "files_modified": { "max": 30 },
 *     "test_failures":  { "consecutive": 3 },
 *     "error_rate":     { "max_rate": 0.5, "window": 20, "min_calls": 5 },
 *     "error_kind":     { "kinds": { "timeout": 3, "permission": 1, "rate_limited": 3, "invalid_arguments": 3, "not_found": 5 } },
 *     "silent_failure": { },
 *     "hung":           { "max_seconds": 60 }
 *   },                  each also takes "alert": ACTION | [ACTION...], "severity": "info|warning|critical", "enabled": false,
 *                       "cooldown_seconds": 60 | false   (rules and operation_rules too: how long a block holds before
 *                                                          one call is let through; false: until agent-trace resume)
 *   "webhook":  { "url": "https://hooks.slack.com/...", "events": ["cost", "scope"], "timeout_seconds": 5, "retries": 3 },
 *   "operation_rules": [ { "tool": "bash", "pattern": "rm *", "action": "block", "reason": "no deletions" } ],
 *   "rules":    [ { "name": "cost cap", "condition": "cost_usd > 0.50", "action": "kill", "notify": "slack:#alerts" },
 *                 { "name": "prod env", "condition": "file_path matches \"**&#47;production.env\"", "action": "block" } ],
 *   "max_context_pct": 90,
 *   "kill_grace_seconds": 5,
 *   "$schema": "..."
 * }
 * </pre>
 * ACTION is {@code terminal} (also {@code alert}), {@code file}, {@code webhook}, {@code block},
 * {@code pause} or {@code kill}. A watcher listed without thresholds takes agent-strace's defaults
 * (retry 5, cost $10, duration 30 min, loop 3×3); a watcher not listed is off. Conditions:
 * {@code <metric> (>|>=|<|<=|==) <number>} with the metrics of {@link Metric}, or
 * {@code file_path matches "<glob>"} with the firewall's glob syntax. Relative paths (the scope
 * policy) are resolved against the configuration file's directory.
 */
public final class WatchConfigParser {
    private static final List<String> TOP_KEYS = List.of("watchers", "webhook", "operation_rules", "rules", "max_context_pct",
            "kill_grace_seconds", "$schema");
    private static final Map<String, List<String>> WATCHER_KEYS = new LinkedHashMap<>();
    private static final List<String> COMMON_KEYS = List.of("alert", "severity", "enabled", "cooldown_seconds");
    private static final List<String> WEBHOOK_KEYS = List.of("url", "events", "timeout_seconds", "retries");
    private static final List<String> OPERATION_KEYS = List.of("tool", "pattern", "action", "reason", "severity", "cooldown_seconds");
    private static final List<String> RULE_KEYS = List.of("name", "condition", "action", "notify", "severity", "cooldown_seconds");
    private static final List<String> ACTIONS = List.of("terminal", "alert", "file", "webhook", "block", "pause", "kill");
    private static final List<String> EXTRA_KINDS = List.of("budget", "context", "operation", "rule");
    private static final Map<String, String> HOME_OF_KEY = new HashMap<>();
    /** Watcher names people write for the real ones (agent-strace's class names, plurals). */
    private static final Map<String, String> WATCHER_ALIASES = Map.ofEntries(
            Map.entry("retries", "retry"), Map.entry("retrywatcher", "retry"), Map.entry("loops", "loop"),
            Map.entry("loopwatcher", "loop"), Map.entry("costwatcher", "cost"), Map.entry("budget", "cost"),
            Map.entry("durationwatcher", "duration"), Map.entry("timeout", "duration"), Map.entry("scopewatcher", "scope"),
            Map.entry("token", "tokens"), Map.entry("token_budget", "tokens"), Map.entry("context", "tokens"),
            Map.entry("files", "files_modified"), Map.entry("tests", "test_failures"), Map.entry("test_failure", "test_failures"),
            Map.entry("consecutive_test_failures", "test_failures"), Map.entry("errors", "error_rate"),
            Map.entry("error_kinds", "error_kind"), Map.entry("silent_failures", "silent_failure"), Map.entry("hang", "hung"),
            Map.entry("stuck", "hung"));

    static {
        WATCHER_KEYS.put("retry", List.of("max"));
        WATCHER_KEYS.put("loop", List.of("sequence_length", "max_repeats", "window", "max_same_calls"));
        WATCHER_KEYS.put("cost", List.of("max_dollars", "model", "warn_at"));
        WATCHER_KEYS.put("tokens", List.of("max", "max_context_pct"));
        WATCHER_KEYS.put("duration", List.of("max_minutes"));
        WATCHER_KEYS.put("scope", List.of("policy"));
        WATCHER_KEYS.put("files_modified", List.of("max"));
        WATCHER_KEYS.put("test_failures", List.of("consecutive"));
        WATCHER_KEYS.put("error_rate", List.of("max_rate", "window", "min_calls"));
        WATCHER_KEYS.put("error_kind", List.of("kinds"));
        WATCHER_KEYS.put("silent_failure", List.of());
        WATCHER_KEYS.put("hung", List.of("max_seconds"));
        for (Map.Entry<String, List<String>> e : WATCHER_KEYS.entrySet()) {
            HOME_OF_KEY.put(e.getKey(), "\"watchers\"");
            for (String k : e.getValue()) {
                HOME_OF_KEY.putIfAbsent(k, "watchers." + e.getKey());
            }
        }
        HOME_OF_KEY.put("max", "watchers.retry, watchers.tokens or watchers.files_modified");
        HOME_OF_KEY.put("window", "watchers.loop or watchers.error_rate");
        HOME_OF_KEY.put("url", "\"webhook\"");
        HOME_OF_KEY.put("events", "\"webhook\"");
        HOME_OF_KEY.put("condition", "an entry of \"rules\"");
        HOME_OF_KEY.put("name", "an entry of \"rules\"");
        HOME_OF_KEY.put("notify", "an entry of \"rules\"");
        HOME_OF_KEY.put("pattern", "an entry of \"operation_rules\"");
        HOME_OF_KEY.put("tool", "an entry of \"operation_rules\"");
        HOME_OF_KEY.put("action", "an entry of \"rules\" or \"operation_rules\" (a watcher says \"alert\")");
        HOME_OF_KEY.put("watchers", "the top level");
        HOME_OF_KEY.put("webhook", "the top level");
        HOME_OF_KEY.put("rules", "the top level");
        // agent-strace's command-line flags, written into the file
        HOME_OF_KEY.put("max_retries", "watchers.retry as \"max\"");
        HOME_OF_KEY.put("max_cost", "watchers.cost as \"max_dollars\"");
        HOME_OF_KEY.put("max_duration", "watchers.duration as \"max_minutes\" (minutes, not seconds)");
        HOME_OF_KEY.put("on_violation", "each watcher as \"alert\"");
    }

    private final String source;
    private final Path baseDir;
    private final List<String> warnings = new ArrayList<>();
    private final Map<String, Field> ruleNames = new HashMap<>();
    private boolean hasWebhook;

    private WatchConfigParser(String source, Path baseDir) {
        this.source = source;
        this.baseDir = baseDir;
    }

    /** Reads and parses a file; a missing, unreadable or YAML file is a {@link WatchConfigException} too. */
    public static WatchConfig parse(Path file) throws WatchConfigException {
        String name = file.toString();
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".yaml") || lower.endsWith(".yml")) {
            throw new WatchConfigException(name, 1, 1, "YAML rules files are not supported",
                    "write the rules as JSON in .watch-rules.json: {\"rules\": [{\"name\": \"cost cap\", \"condition\": \"cost_usd > 0.5\", \"action\": \"kill\"}]}");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new WatchConfigException(name, 0, 0, "the watch configuration does not exist",
                    "create it, or name an existing file (watch --config, record --watch)");
        } catch (IOException e) {
            throw new WatchConfigException(name, 0, 0, "the watch configuration cannot be read (" + e.getMessage() + ")",
                    "check its permissions");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new WatchConfigException(name, 1, 1, "the file is not UTF-8 text", "save it as UTF-8");
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(text, name, dir == null ? Path.of("").toAbsolutePath() : dir);
    }

    /**
     * @param source  the name used in messages (usually the file name)
     * @param baseDir what relative paths in the file are resolved against
     */
    public static WatchConfig parse(String json, String source, Path baseDir) throws WatchConfigException {
        return new WatchConfigParser(source, baseDir).run(json);
    }

    private static final LocatedJson.Kind<WatchConfigException> JSON_KIND = new LocatedJson.Kind<>(WatchConfigException::new,
            "watchers", "there is more JSON after the configuration object", "remove it; the file holds exactly one { } object");

    private WatchConfig run(String json) throws WatchConfigException {
        Node root = LocatedJson.parse(json, source, JSON_KIND);
        if (root == null) {
            throw new WatchConfigException(source, 1, 1, "the file is empty",
                    "write the watchers, e.g. {\"watchers\": {\"retry\": {\"max\": 3, \"alert\": \"terminal\"}}}, or delete the file");
        }
        if (root instanceof Arr) {
            throw error(root, "the file is a JSON array, but a rules file is an object",
                    "wrap the list: {\"rules\": [ ... ]} (the array form in agent-strace's README never worked)");
        }
        Obj top = object(root, "the configuration", "{\"watchers\": {...}}");
        checkKeys(top, "the top level", TOP_KEYS);
        hasWebhook = top.get("webhook") != null;
        List<RuleSpec> rules = new ArrayList<>();
        ToolTable tools = ToolTable.defaults();
        String costModel = null;
        Field watchers = top.field("watchers");
        if (watchers != null) {
            Obj w = object(watchers.value(), "watchers", "{\"retry\": {\"max\": 3}}");
            for (Field f : w.fields) {
                if (!WATCHER_KEYS.containsKey(f.key())) {
                    throw unknownKey(f, "watchers", new ArrayList<>(WATCHER_KEYS.keySet()));
                }
                claimName(f.key(), f);
                Obj spec = object(f.value(), "watchers." + f.key(), "{\"alert\": \"terminal\"}");
                List<String> allowed = new ArrayList<>(WATCHER_KEYS.get(f.key()));
                allowed.addAll(COMMON_KEYS);
                checkKeys(spec, "watchers." + f.key(), allowed);
                if (spec.get("enabled") != null && !bool(spec.field("enabled"), "watchers." + f.key() + ".enabled")) {
                    continue;
                }
                if ("scope".equals(f.key())) {
                    ScopePolicy policy = scopePolicy(spec, f);
                    tools = policy.tools();
                    rules.add(cooled(Watchers.scope(policy, actions(spec, "watchers.scope", "alert"), severity(spec, "watchers.scope")), spec,
                            "watchers.scope"));
                    continue;
                }
                if ("cost".equals(f.key()) && spec.get("model") != null) {
                    Val m = string(spec.get("model"), "watchers.cost.model");
                    if (PriceTable.standard().find(m.text) == null) {
                        String near = Spelling.nearest(m.text, PriceTable.standard().names());
                        throw error(m, "unknown model \"" + m.text + "\" in watchers.cost.model",
                                (near != null ? "did you mean \"" + near + "\"? " : "") + "the price table knows "
                                        + String.join(", ", PriceTable.standard().names()) + " and their full model ids");
                    }
                    costModel = m.text;
                }
                for (RuleSpec r : watcher(f.key(), spec)) {
                    rules.add(cooled(r, spec, "watchers." + f.key()));
                }
            }
        }
        Field ops = top.field("operation_rules");
        if (ops != null) {
            Arr a = array(ops.value(), "operation_rules", "[{\"tool\": \"bash\", \"pattern\": \"rm *\", \"action\": \"block\"}]");
            int i = 0;
            for (Node n : a.items) {
                String where = "operation_rules[" + i++ + "]";
                rules.add(cooled(operation(n, where), (Obj) n, where));
            }
        }
        Field ruleList = top.field("rules");
        if (ruleList != null) {
            Arr a = array(ruleList.value(), "rules", "[{\"name\": \"cost cap\", \"condition\": \"cost_usd > 0.5\", \"action\": \"kill\"}]");
            int i = 0;
            for (Node n : a.items) {
                String where = "rules[" + i++ + "]";
                rules.add(cooled(rule(n, where), (Obj) n, where));
            }
        }
        Field context = top.field("max_context_pct");
        if (context != null) {
            if (ruleNames.containsKey("context")) {
                throw error(context.value(), "max_context_pct is set twice (also in watchers.tokens)", "keep one of them");
            }
            double pct = number(context.value(), "max_context_pct", 1, 100, false);
            rules.add(Watchers.context(pct, Set.of(ActionKind.TERMINAL), null));
        }
        double grace = WatchConfig.DEFAULT_KILL_GRACE_SECONDS;
        Field g = top.field("kill_grace_seconds");
        if (g != null) {
            grace = number(g.value(), "kill_grace_seconds", 0, 300, false);
        }
        WatchConfig.Webhook webhook = null;
        Field wh = top.field("webhook");
        if (wh != null) {
            webhook = webhook(wh);
        }
        Field schema = top.field("$schema");
        if (schema != null) {
            string(schema.value(), "$schema");
        }
        if (rules.isEmpty()) {
            warnings.add(source + " configures no rule: nothing is watched");
        }
        return new WatchConfig(rules, webhook, grace, tools, costModel, List.of(source), warnings);
    }

    private List<RuleSpec> watcher(String kind, Obj spec) throws WatchConfigException {
        String s = "watchers." + kind;
        Set<ActionKind> actions = actions(spec, s, "alert");
        Severity severity = severity(spec, s);
        switch (kind) {
            case "retry" -> {
                return List.of(Watchers.retry(integer(spec, s, "max", 5, 0, 1_000), actions, severity));
            }
            case "loop" -> {
                int length = integer(spec, s, "sequence_length", 3, 2, 50);
                int repeats = integer(spec, s, "max_repeats", 3, 2, 1_000);
                boolean windowed = spec.get("window") != null || spec.get("max_same_calls") != null;
                int window = windowed ? integer(spec, s, "window", 10, 2, 10_000) : 0;
                int same = windowed ? integer(spec, s, "max_same_calls", 3, 2, 10_000) : 0;
                if (windowed && same > window) {
                    throw error(spec.get("max_same_calls") != null ? spec.get("max_same_calls") : spec,
                            s + ".max_same_calls (" + same + ") is larger than the window (" + window + "), so it can never trip",
                            "make max_same_calls at most the window, e.g. 3 in 10");
                }
                return List.of(Watchers.loop(length, repeats, window, same, actions, severity));
            }
            case "cost" -> {
                double max = spec.get("max_dollars") == null ? 10.0 : number(spec.get("max_dollars"), s + ".max_dollars", 0, 1e9, true);
                double warnAt = spec.get("warn_at") == null ? 0.9 : number(spec.get("warn_at"), s + ".warn_at", 0, 1, false);
                if (warnAt >= 1) {
                    throw error(spec.get("warn_at"), s + ".warn_at must be a fraction below 1 (0.9 warns at 90% of the budget)",
                            "write a number between 0 and 1, or 0 for no early warning");
                }
                List<RuleSpec> out = new ArrayList<>();
                out.add(Watchers.cost(max, actions, severity));
                if (warnAt > 0) {
                    out.add(Watchers.budget(max, warnAt, actions));
                }
                return out;
            }
            case "tokens" -> {
                if (spec.get("max") == null && spec.get("max_context_pct") == null) {
                    throw error(spec, s + " sets no limit", "add \"max\": 500000 (total tokens) or \"max_context_pct\": 90");
                }
                List<RuleSpec> out = new ArrayList<>();
                if (spec.get("max") != null) {
                    out.add(Watchers.tokens(integer(spec, s, "max", 0, 1, Integer.MAX_VALUE), actions, severity));
                }
                if (spec.get("max_context_pct") != null) {
                    claimName("context", spec.field("max_context_pct"));
                    out.add(Watchers.context(number(spec.get("max_context_pct"), s + ".max_context_pct", 1, 100, false), actions, severity));
                }
                return out;
            }
            case "duration" -> {
                double minutes = spec.get("max_minutes") == null ? 30 : number(spec.get("max_minutes"), s + ".max_minutes", 0, 1e6, true);
                return List.of(Watchers.duration(minutes, actions, severity));
            }
            case "files_modified" -> {
                return List.of(Watchers.filesModified(integer(spec, s, "max", 30, 0, 10_000_000), actions, severity));
            }
            case "test_failures" -> {
                return List.of(Watchers.testFailures(integer(spec, s, "consecutive", 3, 1, 10_000), actions, severity));
            }
            case "error_rate" -> {
                double rate = spec.get("max_rate") == null ? 0.5 : number(spec.get("max_rate"), s + ".max_rate", 0, 1, false);
                int window = integer(spec, s, "window", 20, 2, 10_000);
                int min = integer(spec, s, "min_calls", Math.min(5, window), 1, window);
                return List.of(Watchers.errorRate(rate, window, min, actions, severity));
            }
            case "error_kind" -> {
                Field kinds = spec.field("kinds");
                if (kinds == null) {
                    throw error(spec, s + " lists no kinds", "add \"kinds\": {\"permission\": 1, \"timeout\": 3}");
                }
                Obj k = object(kinds.value(), s + ".kinds", "{\"permission\": 1, \"timeout\": 3}");
                Map<ErrorKind, Integer> limits = new EnumMap<>(ErrorKind.class);
                List<String> names = new ArrayList<>();
                for (ErrorKind e : ErrorKind.values()) {
                    names.add(e.wireName());
                }
                for (Field f : k.fields) {
                    ErrorKind e = ErrorKind.fromWireName(f.key());
                    if (e == null) {
                        throw unknownKey(f, s + ".kinds", names);
                    }
                    limits.put(e, (int) number(f.value(), s + ".kinds." + f.key(), 1, 1_000_000, false, true));
                }
                if (limits.isEmpty()) {
                    throw error(k, s + ".kinds is empty", "add at least one kind, e.g. {\"permission\": 1}");
                }
                return List.of(Watchers.errorKinds(limits, actions, severity));
            }
            case "silent_failure" -> {
                return List.of(Watchers.silentFailure(actions, severity));
            }
            case "hung" -> {
                double seconds = spec.get("max_seconds") == null ? 60 : number(spec.get("max_seconds"), s + ".max_seconds", 0, 1e6, true);
                return List.of(Watchers.hung(seconds, actions, severity));
            }
            default -> throw new IllegalStateException(kind);
        }
    }

    private ScopePolicy scopePolicy(Obj spec, Field at) throws WatchConfigException {
        Node n = spec.get("policy");
        String file = ".agent-scope.json";
        Node where = at.value();
        if (n != null) {
            Val v = string(n, "watchers.scope.policy");
            file = v.text;
            where = v;
        }
        Path p = baseDir.resolve(file).normalize();
        if (!Files.isRegularFile(p)) {
            throw error(where, "the scope watcher's policy " + file + " does not exist (looked for " + p + ")",
                    "create it (see 'agent-trace policy'), or set watchers.scope.policy to an existing file");
        }
        try {
            return ScopePolicyParser.parse(p);
        } catch (PolicyException e) {
            throw error(where, "the scope watcher's policy does not load: " + e.getMessage(), "fix the policy file");
        }
    }

    /**
     * {@code "cooldown_seconds"}: how long a {@code block} holds before one call may test the
     * water (1 to 86400), or {@code false} for a breaker only {@code agent-trace resume} closes.
     */
    private RuleSpec cooled(RuleSpec r, Obj o, String section) throws WatchConfigException {
        Node n = o.get("cooldown_seconds");
        if (n == null) {
            return r;
        }
        if (n instanceof Val v && v.isBoolean()) {
            if ("true".equals(v.text)) {
                throw error(v, section + ".cooldown_seconds is true, which says no duration",
                        "write a number of seconds, e.g. 60, or false for a breaker only 'agent-trace resume' closes");
            }
            return r.withCooldown(Double.NaN);
        }
        return r.withCooldown(number(n, section + ".cooldown_seconds", 1, 86_400, false));
    }

    private RuleSpec operation(Node n, String s) throws WatchConfigException {
        Obj o = object(n, s, "{\"tool\": \"bash\", \"pattern\": \"rm *\", \"action\": \"block\"}");
        checkKeys(o, s, OPERATION_KEYS);
        String tool = o.get("tool") == null ? "*" : string(o.get("tool"), s + ".tool").text;
        if (o.get("pattern") == null) {
            throw error(o, s + " has no \"pattern\"", "add \"pattern\": \"rm *\" (shell-style, matched against the command or path)");
        }
        Val pattern = string(o.get("pattern"), s + ".pattern");
        if (pattern.text.isBlank()) {
            throw error(pattern, s + ".pattern is empty", "write a pattern such as \"rm *\", or \"*\" for every call");
        }
        String reason = o.get("reason") == null ? null : string(o.get("reason"), s + ".reason").text;
        RuleSpec r = Watchers.operation(tool, pattern.text, reason, actions(o, s, "action"), severity(o, s));
        claimName(r.name(), o.field("pattern"));
        return r;
    }

    private RuleSpec rule(Node n, String s) throws WatchConfigException {
        Obj o = object(n, s, "{\"name\": \"cost cap\", \"condition\": \"cost_usd > 0.5\", \"action\": \"kill\"}");
        checkKeys(o, s, RULE_KEYS);
        Field nameField = o.field("name");
        if (nameField == null) {
            throw error(o, s + " has no \"name\"", "add \"name\": \"cost cap\" (it names the rule in alerts)");
        }
        Val name = string(nameField.value(), s + ".name");
        if (name.text.isBlank()) {
            throw error(name, s + ".name is empty", "give the rule a name, e.g. \"cost cap\"");
        }
        claimName(name.text, nameField);
        Field cond = o.field("condition");
        if (cond == null) {
            throw error(o, "rule \"" + name.text + "\" has no \"condition\"", "add e.g. \"condition\": \"cost_usd > 0.50\"");
        }
        Val condition = string(cond.value(), s + ".condition");
        Set<ActionKind> actions = actions(o, s, "action");
        Severity severity = severity(o, s);
        String notify = null;
        if (o.get("notify") != null) {
            Val v = string(o.get("notify"), s + ".notify");
            notify = v.text;
            if (notify.startsWith("slack:")) {
                if (!hasWebhook) {
                    warnings.add(source + ":" + v.line + ":" + v.column + ": notify \"" + notify
                            + "\" posts through the webhook, and this file configures none; add \"webhook\": {\"url\": ...}");
                }
            } else if (!notify.startsWith("http://") && !notify.startsWith("https://")) {
                throw error(v, s + ".notify \"" + notify + "\" is not a notification target",
                        "write \"slack:#channel\" (posted through the webhook) or a webhook URL \"https://...\"");
            }
        }
        return condition(name.text, condition, actions, notify, severity);
    }

    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");

    /** {@code <metric> <op> <number>} or {@code file_path matches "<glob>"}; errors point into the string. */
    private RuleSpec condition(String name, Val v, Set<ActionKind> actions, String notify, Severity severity) throws WatchConfigException {
        String c = v.text;
        int i = skip(c, 0);
        int start = i;
        while (i < c.length() && (Character.isLetterOrDigit(c.charAt(i)) || c.charAt(i) == '_')) {
            i++;
        }
        String ident = c.substring(start, i);
        if (ident.isEmpty()) {
            throw at(v, start, "condition \"" + c + "\" does not start with a metric name or file_path",
                    "write e.g. \"cost_usd > 0.50\" or \"file_path matches \\\"**/.env\\\"\"");
        }
        if (ident.equals("file_path")) {
            i = skip(c, i);
            if (!c.startsWith("matches", i)) {
                throw at(v, i, "file_path is compared with \"matches\"", "write file_path matches \"**/production.env\"");
            }
            i = skip(c, i + "matches".length());
            if (i >= c.length() || (c.charAt(i) != '"' && c.charAt(i) != '\'')) {
                throw at(v, i, "the glob after \"matches\" must be quoted", "write file_path matches \"**/production.env\"");
            }
            char q = c.charAt(i);
            int close = c.indexOf(q, i + 1);
            if (close < 0) {
                throw at(v, i, "the glob's quote is not closed", "end the glob with " + q);
            }
            String globText = c.substring(i + 1, close);
            int after = skip(c, close + 1);
            if (after < c.length()) {
                throw at(v, after, "unexpected text after the glob", "remove it; a condition tests one thing");
            }
            try {
                return Watchers.pathRule(name, PathGlob.compile(globText, true), actions, notify, severity);
            } catch (GlobSyntaxException e) {
                throw at(v, i + 1 + e.offset(), "bad glob \"" + globText + "\": " + e.problem(), e.fix());
            }
        }
        Metric metric = Metric.fromWireName(ident);
        if (metric == null) {
            String near = Spelling.nearest(ident, Metric.wireNames());
            throw at(v, start, "unknown metric \"" + ident + "\" in condition \"" + c + "\"",
                    (near != null ? "did you mean \"" + near + "\"? " : "") + "metrics are " + String.join(", ", Metric.wireNames())
                            + ", or file_path matches \"<glob>\"");
        }
        i = skip(c, i);
        int opStart = i;
        while (i < c.length() && "<>=!".indexOf(c.charAt(i)) >= 0) {
            i++;
        }
        String opText = c.substring(opStart, i);
        ThresholdWatcher.Op op = ThresholdWatcher.Op.of(opText);
        if (op == null) {
            throw at(v, opStart, opText.isEmpty() ? "expected a comparison after \"" + ident + "\"" : "\"" + opText + "\" is not a comparison",
                    "=".equals(opText) ? "write == to compare" : "use one of >, >=, <, <=, ==, e.g. \"" + ident + " > 10\"");
        }
        i = skip(c, i);
        int numStart = i;
        Matcher m = NUMBER.matcher(c);
        if (!m.find(i) || m.start() != i) {
            String rest = c.substring(i).strip();
            String fix = rest.startsWith("$") ? "write " + rest.substring(1) + " without the $"
                    : rest.isEmpty() ? "add the number to compare with" : "write a plain number, e.g. " + ident + " " + opText + " 10";
            throw at(v, numStart, "expected a number after \"" + opText + "\"" + (rest.isEmpty() ? "" : ", found \"" + rest + "\""), fix);
        }
        double value = Double.parseDouble(m.group());
        int after = skip(c, m.end());
        if (after < c.length()) {
            String unit = c.substring(after).strip();
            throw at(v, after, "unexpected \"" + unit + "\" after the number",
                    metric == Metric.DURATION_MINUTES ? "the number is already in minutes: remove the unit" : "remove it; write just the number");
        }
        return Watchers.metricRule(name, metric, op, value, actions, notify, severity);
    }

    private static int skip(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** An error at character {@code offset} inside a string value (assumes no escapes before it). */
    private WatchConfigException at(Val v, int offset, String problem, String fix) {
        return new WatchConfigException(source, v.line, v.column + 1 + offset, problem, fix);
    }

    private WatchConfig.Webhook webhook(Field wh) throws WatchConfigException {
        Obj o = object(wh.value(), "webhook", "{\"url\": \"https://hooks.slack.com/services/...\"}");
        checkKeys(o, "webhook", WEBHOOK_KEYS);
        if (o.get("url") == null) {
            throw error(o, "webhook has no \"url\"", "add \"url\": \"https://hooks.slack.com/services/...\"");
        }
        Val u = string(o.get("url"), "webhook.url");
        URI uri;
        try {
            uri = new URI(u.text);
        } catch (URISyntaxException e) {
            throw error(u, "webhook.url \"" + u.text + "\" is not a URL (" + e.getReason() + ")", "write the full URL, https://...");
        }
        if (uri.getScheme() == null || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))
                || uri.getHost() == null) {
            throw error(u, "webhook.url \"" + u.text + "\" is not an http(s) URL", "write the full URL, https://...");
        }
        List<String> events = new ArrayList<>();
        if (o.get("events") != null) {
            Arr a = array(o.get("events"), "webhook.events", "[\"cost\", \"scope\"]");
            List<String> known = new ArrayList<>(WATCHER_KEYS.keySet());
            known.addAll(EXTRA_KINDS);
            known.addAll(ruleNames.keySet());
            int i = 0;
            for (Node n : a.items) {
                Val e = string(n, "webhook.events[" + i++ + "]");
                if (!known.contains(e.text)) {
                    String near = Spelling.nearest(e.text, known);
                    throw error(e, "webhook.events: no rule or watcher is called \"" + e.text + "\"",
                            (near != null ? "did you mean \"" + near + "\"? " : "") + "use watcher names (" + String.join(", ", WATCHER_KEYS.keySet())
                                    + ", budget, context, operation, rule) or the name of a rule in \"rules\"");
                }
                events.add(e.text);
            }
        }
        double timeout = o.get("timeout_seconds") == null ? 5 : number(o.get("timeout_seconds"), "webhook.timeout_seconds", 0, 120, true);
        int retries = integer(o, "webhook", "retries", 3, 0, 10);
        return new WatchConfig.Webhook(uri, events, Duration.ofMillis((long) (timeout * 1000)), retries);
    }

    // ---------------------------------------------------------------- values

    private Set<ActionKind> actions(Obj o, String section, String key) throws WatchConfigException {
        Node n = o.get(key);
        if (n == null) {
            return Set.of(ActionKind.TERMINAL);
        }
        List<Val> names = new ArrayList<>();
        if (n instanceof Val v && v.isString()) {
            names.add(v);
        } else if (n instanceof Arr a) {
            int i = 0;
            for (Node item : a.items) {
                names.add(string(item, section + "." + key + "[" + i++ + "]"));
            }
            if (names.isEmpty()) {
                throw error(a, section + "." + key + " is empty", "write \"terminal\", or remove the key for the default (terminal)");
            }
        } else {
            throw error(n, section + "." + key + " must be an action or a list of actions, not " + n.describe(),
                    "write \"terminal\" or [\"terminal\", \"file\"]; actions are terminal, file, webhook, block, pause, kill");
        }
        Set<ActionKind> out = EnumSet.noneOf(ActionKind.class);
        for (Val v : names) {
            ActionKind a = ActionKind.fromWireName(v.text);
            if (a == null) {
                if ("require_approval".equals(v.text)) {
                    throw error(v, "action \"require_approval\" is not supported", "use \"pause\" (SIGSTOP), then 'agent-trace resume' to approve");
                }
                String near = Spelling.nearest(v.text, ACTIONS);
                throw error(v, "unknown action \"" + v.text + "\" in " + section + "." + key,
                        (near != null ? "did you mean \"" + near + "\"? " : "") + "actions are terminal, file, webhook, block, pause, kill");
            }
            if (a == ActionKind.WEBHOOK && !hasWebhook) {
                warnings.add(source + ":" + v.line + ":" + v.column + ": " + section + " alerts to the webhook, and this file configures none;"
                        + " add \"webhook\": {\"url\": ...} (or it is reported as undeliverable)");
            }
            out.add(a);
        }
        return out;
    }

    private Severity severity(Obj o, String section) throws WatchConfigException {
        Node n = o.get("severity");
        if (n == null) {
            return null;
        }
        Val v = string(n, section + ".severity");
        Severity s = Severity.fromWireName(v.text);
        if (s == null) {
            String near = Spelling.nearest(v.text, List.of("info", "warning", "critical"));
            throw error(v, "unknown severity \"" + v.text + "\" in " + section,
                    (near != null ? "did you mean \"" + near + "\"? " : "") + "severities are info, warning, critical");
        }
        return s;
    }

    private void claimName(String name, Field at) throws WatchConfigException {
        Field before = ruleNames.putIfAbsent(name, at);
        if (before != null) {
            throw new WatchConfigException(source, at.line(), at.column(), "a rule named \"" + name + "\" is already defined at line " + before.line(),
                    "give each rule its own name");
        }
    }

    private boolean bool(Field f, String section) throws WatchConfigException {
        if (f.value() instanceof Val v && v.isBoolean()) {
            return "true".equals(v.text);
        }
        String fix = f.value() instanceof Val v && v.isString() && List.of("true", "false").contains(v.text.toLowerCase(Locale.ROOT))
                ? "write " + v.text.toLowerCase(Locale.ROOT) + " without quotes" : "write true or false";
        throw error(f.value(), section + " must be true or false, not " + f.value().describe(), fix);
    }

    private int integer(Obj o, String section, String key, int dflt, int min, int max) throws WatchConfigException {
        Node n = o.get(key);
        return n == null ? dflt : (int) number(n, section + "." + key, min, max, false, true);
    }

    private double number(Node n, String what, double min, double max, boolean minExclusive) throws WatchConfigException {
        return number(n, what, min, max, minExclusive, false);
    }

    private double number(Node n, String what, double min, double max, boolean minExclusive, boolean whole) throws WatchConfigException {
        String kind = whole ? "a whole number" : "a number";
        if (!(n instanceof Val v) || !v.isNumber()) {
            String fix;
            if (n instanceof Val v2 && v2.isString() && NUMBER.matcher(v2.text.strip()).matches()) {
                fix = "write " + v2.text.strip() + " without quotes";
            } else if (n instanceof Val v3 && v3.isString() && v3.text.strip().startsWith("$")) {
                fix = "write " + v3.text.strip().substring(1) + " without the $ and the quotes";
            } else {
                fix = "write " + kind + (whole ? ", e.g. 3" : ", e.g. 5.0");
            }
            throw error(n, what + " must be " + kind + ", not " + n.describe(), fix);
        }
        double d = Double.parseDouble(v.text);
        if (whole && d != Math.rint(d)) {
            throw error(n, what + " must be a whole number, not " + v.text, "write " + (long) Math.floor(d) + " or " + (long) Math.ceil(d));
        }
        if (d < min || (minExclusive && d == min)) {
            throw error(n, what + " must be " + (minExclusive ? "more than " : "at least ") + ThresholdWatcher.number(min) + ", not " + v.text,
                    "write a larger number");
        }
        if (d > max) {
            throw error(n, what + " must be at most " + ThresholdWatcher.number(max) + ", not " + v.text, "write a smaller number");
        }
        return d;
    }

    private Val string(Node n, String what) throws WatchConfigException {
        if (n instanceof Val v && v.isString()) {
            return v;
        }
        String fix = n instanceof Val v && (v.isNumber() || v.isBoolean()) ? "quote it: \"" + v.text + "\"" : "write a quoted string";
        throw error(n, what + " must be a string, not " + n.describe(), fix);
    }

    private Obj object(Node n, String what, String example) throws WatchConfigException {
        if (n instanceof Obj o) {
            return o;
        }
        String fix = n instanceof Val v && v.isNumber() && what.startsWith("watchers.")
                ? "write {\"" + firstKey(what) + "\": " + v.text + "}" : "write " + example;
        throw error(n, what + " must be an object, not " + n.describe(), fix);
    }

    private static String firstKey(String watcherSection) {
        List<String> keys = WATCHER_KEYS.get(watcherSection.substring("watchers.".length()));
        return keys == null || keys.isEmpty() ? "max" : keys.get(0);
    }

    private Arr array(Node n, String what, String example) throws WatchConfigException {
        if (n instanceof Arr a) {
            return a;
        }
        throw error(n, what + " must be an array, not " + n.describe(), "write " + example);
    }

    private void checkKeys(Obj o, String section, List<String> known) throws WatchConfigException {
        for (Field f : o.fields) {
            if (!known.contains(f.key())) {
                throw unknownKey(f, section, known);
            }
        }
    }

    private WatchConfigException unknownKey(Field f, String section, List<String> known) {
        String near = Spelling.nearest(f.key(), known);
        if (near == null && "watchers".equals(section)) {
            near = WATCHER_ALIASES.get(f.key().toLowerCase(Locale.ROOT));
        }
        String fix;
        if (near != null) {
            fix = "did you mean \"" + near + "\"?";
        } else if (HOME_OF_KEY.containsKey(f.key())) {
            fix = "\"" + f.key() + "\" belongs in " + HOME_OF_KEY.get(f.key())
                    + (known.isEmpty() ? "; this object takes only alert, severity, enabled" : "; here the keys are " + quoted(known));
        } else {
            fix = "remove it; the keys here are " + quoted(known);
        }
        return new WatchConfigException(source, f.line(), f.column(), "unknown key \"" + f.key() + "\" in " + section, fix);
    }

    private WatchConfigException error(Node at, String problem, String fix) {
        return new WatchConfigException(source, at.line, at.column, problem, fix);
    }

    private static String quoted(List<String> keys) {
        List<String> q = new ArrayList<>();
        for (String k : keys) {
            q.add("\"" + k + "\"");
        }
        return String.join(", ", q);
    }

}
