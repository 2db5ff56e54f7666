package dev.agenttrace.rules.watch;

import dev.agenttrace.rules.ScopeFirewall;
import dev.agenttrace.rules.scope.Decision;
import dev.agenttrace.rules.scope.JudgeContext;
import dev.agenttrace.rules.scope.ScopePolicy;

/**
 * A call outside the {@code .agent-scope.json} policy, judged by the firewall itself
 * ({@link ScopeFirewall#judge}), never by a copy of its rules: so {@code kill} or {@code pause} can
 * answer what the firewall would block, and a live watch can flag it in sessions recorded without
 * a policy (hook sessions, or a proxy in shadow mode). Once per distinct call.
 */
final class ScopeWatcher implements Watcher {
    private final RuleSpec rule;
    private final ScopeFirewall firewall;

    ScopeWatcher(RuleSpec rule, ScopePolicy policy, SessionContext context) {
        this.rule = rule;
        this.firewall = new ScopeFirewall(policy, new JudgeContext(context.root(), context.home()));
    }

    @Override
    public void onEvent(Observation o, Trips trips) {
        Call c = o.call;
        if (c == null) {
            return;
        }
        Decision d = firewall.judge(c.tool, c.arguments);
        if (d.blocked()) {
            trips.trip(rule, Long.toHexString(c.key), d.reason(),
                    "Stay inside the project's scope (" + firewall.policy().source() + "): this call is outside what the policy allows.",
                    o.event, o.timestamp);
        }
    }
}
