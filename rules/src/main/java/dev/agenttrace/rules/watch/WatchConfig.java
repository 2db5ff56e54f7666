package dev.agenttrace.rules.watch;

import dev.agenttrace.rules.scope.ToolTable;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What to watch and what to do: the rules of {@code .agent-watch.json} and {@code .watch-rules.json}
 * (one or both, merged), the webhook, the kill grace period. Immutable; read it with
 * {@link WatchConfigParser}, or take {@link #defaults()}.
 */
public final class WatchConfig {
    /** agent-strace's kill grace: SIGTERM, then SIGKILL 5 s later. */
    public static final double DEFAULT_KILL_GRACE_SECONDS = 5;

    /**
     * Where alerts are POSTed.
     *
     * @param events  rule names or watcher kinds that go to the webhook even without a
     *                {@code webhook} action; empty: every alert (agent-strace's behaviour)
     * @param timeout per attempt
     * @param retries attempts after the first, with doubling back-off
     */
    public record Webhook(URI url, List<String> events, Duration timeout, int retries) {
        public Webhook {
            events = List.copyOf(events);
        }

        /** True if an alert of this rule goes to the webhook. */
        public boolean wants(Alert a) {
            return a.has(ActionKind.WEBHOOK) || events.isEmpty() || events.contains(a.rule()) || events.contains(a.kind());
        }
    }

    private final List<RuleSpec> rules;
    private final Webhook webhook;
    private final double killGraceSeconds;
    private final ToolTable tools;
    private final String costModel;
    private final List<String> sources;
    private final List<String> warnings;

    WatchConfig(List<RuleSpec> rules, Webhook webhook, double killGraceSeconds, ToolTable tools, String costModel,
                List<String> sources, List<String> warnings) {
        this.rules = List.copyOf(rules);
        this.webhook = webhook;
        this.killGraceSeconds = killGraceSeconds;
        this.tools = tools;
        this.costModel = costModel;
        this.sources = List.copyOf(sources);
        this.warnings = List.copyOf(warnings);
    }

    /**
     * The one set of defaults: what {@code agent-trace watch} applies with no configuration file and
     * what {@code lint}, {@code health} and the dashboard look for before a user's configuration is
     * merged in, so the three never disagree about one session: retry storms (more than 3 retries,
     * critical), loops (3 calls × 3), silent failures, cost ($10, a warning at 90 %), duration
     * (30 min), alerting on the terminal. agent-strace's watch allowed 5 retries and its lint 3;
     * the stricter one wins.
     */
    public static WatchConfig defaults() {
        return new WatchConfig(DEFAULT_RULES, null, DEFAULT_KILL_GRACE_SECONDS, ToolTable.defaults(), null, List.of("built-in defaults"),
                List.of());
    }

    private static final List<RuleSpec> DEFAULT_RULES = List.of(
            Watchers.retry(3, Set.of(ActionKind.TERMINAL), Severity.CRITICAL),
            Watchers.loop(3, 3, 0, 0, Set.of(ActionKind.TERMINAL), Severity.WARNING),
            Watchers.silentFailure(Set.of(ActionKind.TERMINAL), Severity.WARNING),
            Watchers.cost(10.0, Set.of(ActionKind.TERMINAL), null),
            Watchers.budget(10.0, 0.9, Set.of(ActionKind.TERMINAL)),
            Watchers.duration(30, Set.of(ActionKind.TERMINAL), null));

    /** Whether {@code r} is one of {@link #defaults()} (no user's file configured it). */
    public static boolean isDefault(RuleSpec r) {
        return DEFAULT_RULES.stream().anyMatch(d -> d == r);
    }

    /** The files a directory's watch configuration is read from when none is named, in merge order. */
    public static final List<String> FILE_NAMES = List.of(".agent-watch.json", ".watch-rules.json");

    /** Those of {@link #FILE_NAMES} that are regular files in {@code dir}, in merge order. */
    public static List<java.nio.file.Path> filesIn(java.nio.file.Path dir) {
        List<java.nio.file.Path> found = new java.util.ArrayList<>();
        for (String name : FILE_NAMES) {
            java.nio.file.Path f = dir.resolve(name);
            if (java.nio.file.Files.isRegularFile(f)) {
                found.add(f);
            }
        }
        return found;
    }

    /**
     * {@code files} parsed and merged in order, a later file's rule replacing an earlier one of the
     * same name; null when there is no file. The first file that does not parse is the exception.
     */
    public static WatchConfig load(List<java.nio.file.Path> files) throws WatchConfigException {
        if (files.isEmpty()) {
            return null;
        }
        WatchConfig merged = empty();
        for (java.nio.file.Path f : files) {
            merged = merged.mergedWith(WatchConfigParser.parse(f));
        }
        return merged;
    }

    /** An empty configuration (nothing watched), to merge files into. */
    public static WatchConfig empty() {
        return new WatchConfig(List.of(), null, DEFAULT_KILL_GRACE_SECONDS, ToolTable.defaults(), null, List.of(), List.of());
    }

    /**
     * This configuration with {@code later} laid over it: a rule of the same name is replaced,
     * others are added; the webhook, grace period, tool table and cost model of {@code later} win
     * where it sets them.
     */
    public WatchConfig mergedWith(WatchConfig later) {
        Map<String, RuleSpec> byName = new LinkedHashMap<>();
        for (RuleSpec r : rules) {
            byName.put(r.name(), r);
        }
        for (RuleSpec r : later.rules) {
            byName.put(r.name(), r);
        }
        List<String> src = new ArrayList<>(sources);
        src.addAll(later.sources);
        List<String> warn = new ArrayList<>(warnings);
        warn.addAll(later.warnings);
        return new WatchConfig(new ArrayList<>(byName.values()), later.webhook != null ? later.webhook : webhook,
                later.killGraceSeconds != DEFAULT_KILL_GRACE_SECONDS ? later.killGraceSeconds : killGraceSeconds,
                later.tools != ToolTable.defaults() ? later.tools : tools, later.costModel != null ? later.costModel : costModel,
                src, warn);
    }

    public List<RuleSpec> rules() {
        return rules;
    }

    /** The rule of that name, or null. */
    public RuleSpec rule(String name) {
        for (RuleSpec r : rules) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        return null;
    }

    /** The webhook, or null. */
    public Webhook webhook() {
        return webhook;
    }

    public double killGraceSeconds() {
        return killGraceSeconds;
    }

    /** Which tools write files and run commands: the scope policy's table when one is configured. */
    public ToolTable tools() {
        return tools;
    }

    /** {@code cost.model}, or null to price each session at its own model. */
    public String costModel() {
        return costModel;
    }

    /** The files it came from (or "built-in defaults"). */
    public List<String> sources() {
        return sources;
    }

    /** Things that parse but probably do not do what the author meant. */
    public List<String> warnings() {
        return warnings;
    }

    /** What is watched, one rule a line, for {@code watch check} and the start-up line. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        b.append("watch rules from ").append(String.join(", ", sources)).append(':');
        if (rules.isEmpty()) {
            b.append("\n  (none: nothing is watched)");
        }
        for (RuleSpec r : rules) {
            b.append("\n  ").append(r.describe());
        }
        if (webhook != null) {
            b.append("\n  webhook ").append(webhook.url()).append(webhook.events().isEmpty() ? " (every alert)" : " for " + webhook.events())
                    .append(", timeout ").append(webhook.timeout().toMillis()).append(" ms, ").append(webhook.retries()).append(" retries");
        }
        b.append("\n  kill grace ").append(ThresholdWatcher.number(killGraceSeconds)).append(" s");
        if (costModel != null) {
            b.append(", cost priced as ").append(costModel);
        }
        for (String w : warnings) {
            b.append("\n  warning: ").append(w);
        }
        return b.toString();
    }
}
