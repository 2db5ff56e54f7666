package dev.agenttrace.rules.suggest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.rules.ScopeFirewall;
import dev.agenttrace.rules.scope.CommandPattern;
import dev.agenttrace.rules.scope.CommandRules;
import dev.agenttrace.rules.scope.Decision;
import dev.agenttrace.rules.scope.FileAccessRules;
import dev.agenttrace.rules.scope.JudgeContext;
import dev.agenttrace.rules.scope.MatchedRule;
import dev.agenttrace.rules.scope.NetworkRules;
import dev.agenttrace.rules.scope.ScopePolicy;
import dev.agenttrace.rules.scope.ToolTable;
import dev.agenttrace.rules.scope.network.HostPattern;
import dev.agenttrace.rules.scope.paths.PathGlob;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one recorded call needs allowed, found by asking the firewall itself, so a suggestion can
 * never disagree with the evaluator that will enforce it: the call is judged under a policy that
 * restricts every file read, file write, command and host; each block names the value that was
 * missing ({@link Decision#value()}); that exact value is allowed and the call judged again, until
 * it passes or stops on something no allow rule clears (an undetermined call, a protected file,
 * a program only known at run time). Each value surfaces once, so a call costs one judgement per
 * thing it touches, plus one.
 */
final class CallLearner {
    /** Keeps an allow list non-empty (so restricting) before anything was learned; names nothing a call touches. */
    private static final String NO_FILE = "**/.agent-trace-suggest-probe-matches-no-file";
    private static final String NO_COMMAND = "agent-trace-suggest-probe-matches-no-command";
    /** A call touching more than this many things is left for a person (a tree walk over thousands of files). */
    static final int MAX_STEPS = 200;

    /**
     * @param refused the decision no allow rule can clear, for a person to look at; null if the call
     *                passes once its values are allowed
     */
    record Outcome(Set<String> reads, Set<String> writes, Set<String> commands, Set<String> hosts, Decision refused) {
    }

    private CallLearner() {
    }

    /**
     * @param base the policy being added to ({@code --merge}), or null: what its allow and trust
     *             entries already admit is not learned again, and its tool table is used
     */
    static Outcome learn(String tool, JsonNode arguments, JudgeContext context, ScopePolicy base) {
        ToolTable tools = base == null ? ToolTable.defaults() : base.tools();
        Set<String> reads = new LinkedHashSet<>();
        Set<String> writes = new LinkedHashSet<>();
        Set<String> commands = new LinkedHashSet<>();
        Set<String> hosts = new LinkedHashSet<>();
        List<PathGlob> readAllow = new ArrayList<>(List.of(PathGlob.compile(NO_FILE, false)));
        List<PathGlob> writeAllow = new ArrayList<>(List.of(PathGlob.compile(NO_FILE, false)));
        List<CommandPattern> commandAllow = new ArrayList<>(List.of(CommandPattern.compile(NO_COMMAND)));
        List<HostPattern> hostAllow = new ArrayList<>();
        List<CommandPattern> trust = new ArrayList<>();
        if (base != null) {
            readAllow.addAll(base.read().allow());
            writeAllow.addAll(base.write().allow());
            commandAllow.addAll(base.commands().allow());
            trust.addAll(base.commands().trust());
            if (base.network().denyAll()) {
                hostAllow.addAll(base.network().allow());
            }
        }
        Set<String> tried = new LinkedHashSet<>();
        for (int step = 0; step < MAX_STEPS; step++) {
            ScopePolicy probe = new ScopePolicy("suggest probe", new FileAccessRules(readAllow, List.of()),
                    new FileAccessRules(writeAllow, List.of()), new CommandRules(commandAllow, List.of(), trust),
                    new NetworkRules(true, hostAllow), tools, List.of(), true);
            Decision d = new ScopeFirewall(probe, context).judge(tool, arguments);
            if (d.allowed()) {
                return new Outcome(reads, writes, commands, hosts, null);
            }
            MatchedRule rule = d.rule();
            String value = d.value();
            if (d.undetermined() || rule == null || !rule.isNoMatch() || value == null || !tried.add(rule.section() + "\u0000" + value)) {
                return new Outcome(reads, writes, commands, hosts, d);
            }
            try {
                switch (rule.section()) {
                    case "files.read.allow" -> {
                        readAllow.add(PathGlob.compile(Patterns.exactPath(value), false));
                        reads.add(value);
                    }
                    case "files.write.allow" -> {
                        writeAllow.add(PathGlob.compile(Patterns.exactPath(value), false));
                        writes.add(value);
                    }
                    case "commands.allow" -> {
                        String exact = Patterns.exactCommand(value);
                        if (exact == null) {
                            return new Outcome(reads, writes, commands, hosts, d);
                        }
                        commandAllow.add(CommandPattern.compile(exact));
                        commands.add(value);
                    }
                    case "network.allow" -> {
                        hostAllow.add(HostPattern.compile(value));
                        hosts.add(value);
                    }
                    default -> {
                        return new Outcome(reads, writes, commands, hosts, d);
                    }
                }
            } catch (IllegalArgumentException e) {
                // a value that makes no pattern (a URL with no checkable host, a path no glob can name)
                return new Outcome(reads, writes, commands, hosts, d);
            }
        }
        return new Outcome(reads, writes, commands, hosts, new Decision(dev.agenttrace.rules.scope.Verdict.UNDETERMINED, tool, null,
                null, null, "the call touches more than " + MAX_STEPS + " files, commands and hosts; too many to learn from", null));
    }
}
