package dev.agenttrace.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.rules.scope.Decision;
import dev.agenttrace.rules.scope.JudgeContext;
import dev.agenttrace.rules.scope.PolicyException;
import dev.agenttrace.rules.scope.ScopeEvaluator;
import dev.agenttrace.rules.scope.ScopePolicy;
import dev.agenttrace.rules.scope.ScopePolicyParser;
import java.nio.file.Path;

/**
 * What the {@code Guard} asks before a {@code tools/call} is forwarded: "may this run?". One
 * policy, one project root; immutable, so any number of relay threads may call {@link #judge}
 * at once, and a live policy reload is a swap of the whole firewall.
 *
 * <p>All patterns are compiled when the policy is parsed; a judgement is regex matching plus, for
 * paths, one {@code realpath} of the path (symlinks must be resolved at the moment of the call).
 */
public final class ScopeFirewall {
    private final ScopeEvaluator evaluator;
    private final JudgeContext context;

    public ScopeFirewall(ScopePolicy policy, JudgeContext context) {
        this.evaluator = new ScopeEvaluator(policy);
        this.context = context;
    }

    /**
     * Parses a policy file and binds it to a project.
     *
     * @throws PolicyException with {@code file:line:column: problem; fix: ...} if the file is
     *                         missing, unreadable or invalid
     */
    public static ScopeFirewall load(Path policyFile, JudgeContext context) throws PolicyException {
        return new ScopeFirewall(ScopePolicyParser.parse(policyFile), context);
    }

    /**
     * @param toolName  the name in {@code params.name}
     * @param arguments {@code params.arguments} (may be null)
     */
    public Decision judge(String toolName, JsonNode arguments) {
        return evaluator.judge(toolName, arguments, context);
    }

    /** What a call of this tool may do to the file system, from the policy's tool table. */
    public dev.agenttrace.rules.scope.Effect effect(String toolName) {
        return evaluator.effect(toolName);
    }

    public ScopePolicy policy() {
        return evaluator.policy();
    }

    public JudgeContext context() {
        return context;
    }

    /** What is enforced, for the start-up line on stderr and {@code policy check}. */
    public String describe() {
        return evaluator.policy().describe() + "\n  root: " + context.root();
    }
}
