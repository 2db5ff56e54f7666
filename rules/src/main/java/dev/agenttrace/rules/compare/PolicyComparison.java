package dev.agenttrace.rules.compare;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.rules.SessionAudit;
import dev.agenttrace.rules.scope.CommandPattern;
import dev.agenttrace.rules.scope.Decision;
import dev.agenttrace.rules.scope.PolicyLoosening;
import dev.agenttrace.rules.scope.ScopePolicy;
import dev.agenttrace.rules.scope.ToolSpec;
import dev.agenttrace.rules.scope.ToolTable;
import dev.agenttrace.rules.scope.network.HostPattern;
import dev.agenttrace.rules.scope.paths.PathGlob;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code agent-trace policy diff OLD NEW}: what a change to a policy changes, before it is made.
 * Two answers: the rules as written (entries added and removed per section, {@code deny_all} and
 * {@code protect} switched, tool table entries, and which of these loosen, as
 * {@link PolicyLoosening} judges a live reload); and the calls of recorded sessions, replayed
 * through {@link SessionAudit} under each version, that one blocks and the other does not. No
 * second evaluator: both versions are judged by the one the proxies run.
 */
public final class PolicyComparison {

    /** One difference in the rules: {@code +} added, {@code -} removed, {@code ~} a switched value. */
    public record RuleChange(char sign, String section, String text) {
        /** {@code + files.read.allow "src/**"}, {@code ~ network.deny_all true -> false}. */
        public String display() {
            return sign + " " + section + " " + text;
        }
    }

    /** A recorded call that one version blocks and the other does not, with the blocking decision. */
    public record CallChange(String sessionId, String eventId, double timestamp, String tool, JsonNode arguments, Decision decision) {
    }

    /** The replay over recorded sessions. */
    public record Replay(int sessions, int calls, List<CallChange> newlyBlocked, List<CallChange> noLongerBlocked, List<String> warnings) {
    }

    private PolicyComparison() {
    }

    /** The differences in the rules as written, section by section. */
    public static List<RuleChange> rules(ScopePolicy before, ScopePolicy after) {
        List<RuleChange> out = new ArrayList<>();
        lists(out, "files.read.allow", before.read().allow(), after.read().allow(), PathGlob::text);
        lists(out, "files.read.deny", before.read().deny(), after.read().deny(), PathGlob::text);
        lists(out, "files.write.allow", before.write().allow(), after.write().allow(), PathGlob::text);
        lists(out, "files.write.deny", before.write().deny(), after.write().deny(), PathGlob::text);
        lists(out, "commands.allow", before.commands().allow(), after.commands().allow(), CommandPattern::text);
        lists(out, "commands.deny", before.commands().deny(), after.commands().deny(), CommandPattern::text);
        lists(out, "commands.trust", before.commands().trust(), after.commands().trust(), CommandPattern::text);
        if (before.network().denyAll() != after.network().denyAll()) {
            out.add(new RuleChange('~', "network.deny_all", before.network().denyAll() + " -> " + after.network().denyAll()));
        }
        lists(out, "network.allow", before.network().allow(), after.network().allow(), HostPattern::text);
        if (before.protect() != after.protect()) {
            out.add(new RuleChange('~', "protect", before.protect() + " -> " + after.protect()));
        }
        Map<String, ToolSpec> oldTools = custom(before.tools());
        Map<String, ToolSpec> newTools = custom(after.tools());
        for (Map.Entry<String, ToolSpec> t : newTools.entrySet()) {
            ToolSpec old = oldTools.get(t.getKey());
            if (old == null) {
                out.add(new RuleChange('+', "tools", "\"" + t.getValue().name() + "\""));
            } else if (!old.equals(t.getValue())) {
                out.add(new RuleChange('~', "tools", "\"" + t.getValue().name() + "\" changed"));
            }
        }
        for (Map.Entry<String, ToolSpec> t : oldTools.entrySet()) {
            if (!newTools.containsKey(t.getKey())) {
                out.add(new RuleChange('-', "tools", "\"" + t.getValue().name() + "\""));
            }
        }
        return out;
    }

    /** What {@code after} loosens relative to {@code before}, one line each (the live-reload judgement). */
    public static List<String> loosening(ScopePolicy before, ScopePolicy after) {
        return PolicyLoosening.of(before, after);
    }

    /**
     * Judges every tool call of the sessions under both versions.
     *
     * @param rootOverride judge against this root instead of each session's working directory
     */
    public static Replay replay(TraceStore store, List<SessionMeta> sessions, ScopePolicy before, ScopePolicy after, Path rootOverride,
                                Path home) {
        List<CallChange> newly = new ArrayList<>();
        List<CallChange> noLonger = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        int calls = 0;
        for (SessionMeta m : sessions) {
            SessionAudit.Report old = SessionAudit.audit(store, m, before, rootOverride, home);
            SessionAudit.Report now = SessionAudit.audit(store, m, after, rootOverride, home);
            calls += now.calls();
            warnings.addAll(now.warnings());
            Map<String, SessionAudit.Violation> oldBlocks = byEvent(old.violations());
            Map<String, SessionAudit.Violation> newBlocks = byEvent(now.violations());
            for (SessionAudit.Violation v : now.violations()) {
                if (!oldBlocks.containsKey(v.eventId())) {
                    newly.add(change(v));
                }
            }
            for (SessionAudit.Violation v : old.violations()) {
                if (!newBlocks.containsKey(v.eventId())) {
                    noLonger.add(change(v));
                }
            }
        }
        return new Replay(sessions.size(), calls, newly, noLonger, warnings);
    }

    private static CallChange change(SessionAudit.Violation v) {
        return new CallChange(v.sessionId(), v.eventId(), v.timestamp(), v.tool(), v.arguments(), v.decision());
    }

    private static Map<String, SessionAudit.Violation> byEvent(List<SessionAudit.Violation> violations) {
        Map<String, SessionAudit.Violation> out = new LinkedHashMap<>();
        for (SessionAudit.Violation v : violations) {
            out.put(v.eventId(), v);
        }
        return out;
    }

    /** Tool table entries a policy added or changed (the defaults are the same in both). */
    private static Map<String, ToolSpec> custom(ToolTable table) {
        Map<String, ToolSpec> out = new LinkedHashMap<>();
        for (ToolSpec s : table.entries()) {
            if (ToolTable.defaults().lookup(s.name()).map(d -> !d.equals(s)).orElse(true)) {
                out.put(s.name().toLowerCase(java.util.Locale.ROOT), s);
            }
        }
        return out;
    }

    private static <T> void lists(List<RuleChange> out, String section, List<T> before, List<T> after, Function<T, String> text) {
        Set<String> old = texts(before, text);
        Set<String> now = texts(after, text);
        for (String t : now) {
            if (!old.contains(t)) {
                out.add(new RuleChange('+', section, "\"" + t + "\""));
            }
        }
        for (String t : old) {
            if (!now.contains(t)) {
                out.add(new RuleChange('-', section, "\"" + t + "\""));
            }
        }
    }

    private static <T> Set<String> texts(List<T> items, Function<T, String> text) {
        Set<String> out = new LinkedHashSet<>();
        for (T t : items) {
            out.add(text.apply(t));
        }
        return out;
    }
}
