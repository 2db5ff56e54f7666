package dev.agenttrace.hooks.judge;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.hooks.event.HookCall;
import dev.agenttrace.rules.PolicyMode;
import dev.agenttrace.rules.ScopeFirewall;
import dev.agenttrace.rules.scope.Decision;
import dev.agenttrace.rules.watch.ActionKind;
import dev.agenttrace.rules.watch.Alert;
import dev.agenttrace.rules.watch.AlertActions;
import dev.agenttrace.rules.watch.Block;
import dev.agenttrace.rules.watch.SessionTarget;
import dev.agenttrace.rules.watch.SessionWatch;
import dev.agenttrace.store.TraceEvent;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The verdict on one hook session's tool calls: the project's firewall ({@link ScopeFirewall}, the
 * evaluator that judges MCP {@code tools/call}) and its circuit breakers ({@link SessionWatch}, the
 * watchers of every transport), composed here once for hooks. This is the only place hooks combine
 * the two; it gives way to the rules module's {@code Checkpoint} when that lands.
 *
 * <p>Breaker actions map onto what a hook can do: {@code block} refuses the call, {@code kill}
 * stops the agent's session (every later hook is answered "stop"), {@code pause} holds the answer
 * until {@code agent-trace resume}. Terminal, file and webhook alerts go to {@link AlertActions}
 * as for a proxy. Thread-safe.
 */
public final class ToolCallJudge {
    /**
     * The judgement of one event.
     *
     * @param verdict  what to answer
     * @param kind     the decision to record ({@code policy_violation}, {@code watch_block},
     *                 {@code watch_stop}), or null when there is nothing to record
     * @param enforced false when the call was let through in shadow mode (recorded as "would block")
     * @param pause    a breaker says pause: hold the answer until resumed
     * @param reason   why the call is (or in shadow mode would be) refused, or null
     * @param decision the firewall's or watch's decision as JSON, or null
     */
    public record Judgement(HookVerdict verdict, String kind, boolean enforced, boolean pause, String reason, ObjectNode decision) {
        static final Judgement ALLOW = new Judgement(HookVerdict.ALLOW, null, true, false, null, null);

        static Judgement refuse(HookVerdict v, String kind) {
            return new Judgement(v, kind, true, false, v.reason(), v.decision());
        }
    }

    private final ProjectConfigs.Project project;
    private final PolicyMode mode;
    private final SessionWatch watch;
    private final AlertActions actions;
    private final SessionTarget target;
    private volatile HookVerdict stopped;

    /**
     * @param watch   the session's watchers, or null when no breakers apply
     * @param target  where alerts act (the session's directory and trace); null with no watch
     */
    public ToolCallJudge(ProjectConfigs.Project project, PolicyMode mode, SessionWatch watch, AlertActions actions, SessionTarget target) {
        this.project = project;
        this.mode = mode;
        this.watch = watch;
        this.actions = actions;
        this.target = target;
    }

    public ProjectConfigs.Project project() {
        return project;
    }

    public PolicyMode mode() {
        return mode;
    }

    /** Judges a tool call before it runs; {@code callEvent} is its recorded {@code tool_call}. */
    public Judgement preTool(HookCall call, TraceEvent callEvent) {
        boolean pause = watch != null && observeAlerts(callEvent);
        HookVerdict stop = stopped;
        if (stop != null) {
            return Judgement.refuse(stop, "watch_stop");
        }
        Judgement firewall = firewall(call);
        if (firewall != null) {
            return firewall;
        }
        if (watch != null) {
            Block b = watch.blocked();
            if (b != null) {
                return Judgement.refuse(HookVerdict.deny(b.blockedMessage(call.toolName()), b.toJson()), "watch_block");
            }
        }
        return pause ? new Judgement(HookVerdict.ALLOW, null, true, true, null, null) : Judgement.ALLOW;
    }

    /**
     * Shows any other event (a result, an error, a prompt, a refusal) to the breakers. Returns the
     * stop verdict once a {@code kill} rule has tripped (every hook of the session then says stop), else null.
     */
    public HookVerdict observe(TraceEvent e) {
        if (watch != null) {
            observeAlerts(e);
        }
        return stopped;
    }

    /** The clock moved: breakers that time alone trips (a hung call, the duration limit). */
    public void tick(double nowEpochSeconds) {
        if (watch != null) {
            for (Alert a : watch.tick(nowEpochSeconds)) {
                act(a);
            }
        }
    }

    /**
     * Brings the breakers up to date with a session recorded before (a restarted serve, another
     * hook process): its events are shown to the watch, and what they tripped holds again (a block,
     * a stop), without acting on those alerts a second time.
     */
    public void replay(List<TraceEvent> history) {
        if (watch == null) {
            return;
        }
        for (TraceEvent e : history) {
            for (Alert a : watch.observe(e)) {
                if (a.has(ActionKind.KILL) && stopped == null) {
                    stopped = stopVerdict(a);
                }
            }
        }
    }

    /** Non-null once a kill rule stopped the session. */
    public HookVerdict stopped() {
        return stopped;
    }

    private Judgement firewall(HookCall call) {
        if (project.policyProblem() != null) {
            String reason = "Blocked by agent-trace: the policy " + project.policyFile() + " cannot be used (" + project.policyProblem()
                    + "); fix it. The tool \"" + call.toolName() + "\" was NOT run.";
            ObjectNode d = JsonNodeFactory.instance.objectNode();
            d.put("decision", "block");
            d.put("tool", call.toolName());
            d.put("reason", "policy file unusable: " + project.policyProblem());
            d.put("policy", project.policyFile().toString());
            return mode == PolicyMode.ENFORCE ? Judgement.refuse(HookVerdict.deny(reason, d), "policy_violation") : null;
        }
        if (project.policy() == null) {
            return null;
        }
        ScopeFirewall fw = project.policy().firewall();
        for (NativeTools.Judged j : NativeTools.judgedAs(call.agent(), call.toolName(), call.toolInput())) {
            Decision d = fw.judge(j.tool(), j.arguments());
            if (d.blocked()) {
                ObjectNode json = d.toJson();
                json.put("policy", project.policyFile().toString());
                String reason = d.blockedMessage();
                if (!j.tool().equals(call.toolName())) {
                    reason = reason.replace("The tool \"" + d.tool() + "\"", "The tool \"" + call.toolName() + "\" (judged as " + d.tool() + ")");
                }
                boolean enforce = mode == PolicyMode.ENFORCE;
                return new Judgement(enforce ? HookVerdict.deny(reason, json) : HookVerdict.ALLOW, "policy_violation", enforce, false, reason, json);
            }
        }
        return null;
    }

    /** Feeds the watch; acts on what tripped. Returns true if a pause rule tripped. */
    private boolean observeAlerts(TraceEvent e) {
        List<Alert> alerts = watch.observe(e);
        boolean pause = false;
        for (Alert a : alerts) {
            pause |= act(a);
        }
        return pause;
    }

    private static HookVerdict stopVerdict(Alert a) {
        ObjectNode d = a.toJson();
        d.put("decision", "stop");
        return HookVerdict.stop("Stopped by agent-trace watch: rule \"" + a.rule() + "\" tripped: " + a.message()
                + ". This tool call and every later one were NOT run; the agent session is stopped."
                + (a.suggestion() == null ? "" : " " + a.suggestion()), d);
    }

    /** Carries out one alert; true if it says pause. */
    private boolean act(Alert a) {
        boolean pause = false;
        if (a.has(ActionKind.KILL) && stopped == null) {
            stopped = stopVerdict(a);
        } else if (a.has(ActionKind.PAUSE)) {
            pause = true;
        }
        // kill and pause are carried out through the hook's answer (there is no process to signal)
        Set<ActionKind> rest = EnumSet.noneOf(ActionKind.class);
        rest.addAll(a.actions());
        rest.remove(ActionKind.KILL);
        rest.remove(ActionKind.PAUSE);
        actions.dispatch(new Alert(a.rule(), a.kind(), a.severity(), a.message(), a.suggestion(), rest, a.notifyTarget(),
                a.sessionId(), a.timestamp(), a.event()), target);
        return pause;
    }
}
