package dev.agenttrace.hooks.judge;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.agenttrace.hooks.event.HookCall;
import dev.agenttrace.rules.PolicyMode;
import dev.agenttrace.rules.inline.Checkpoint;
import dev.agenttrace.rules.inline.SessionRecorder;
import dev.agenttrace.rules.watch.ActionKind;
import dev.agenttrace.rules.watch.Alert;
import dev.agenttrace.rules.watch.WatchedSession;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.TraceEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A hook session's tool calls put to the {@link Checkpoint}, the one verdict every transport
 * gets (firewall and breakers together): hooks are a third transport and compose nothing of their
 * own. A pre-tool hook is handed over as the tool call it announces
 * ({@link Checkpoint#toolCall}); the Checkpoint records it (as {@code tool_call} with
 * {@code request_id} = the model's {@code tool_use_id}), judges it, and records a refusal. What a
 * hook adds is only the mapping of the verdict onto what a hook can answer: a refusal denies the
 * call, a breaker whose action is {@code kill} stops the agent's session (every later hook is
 * answered "stop"), one whose action is {@code pause} holds the answer until
 * {@code agent-trace resume}.
 *
 * <p>Two things the Checkpoint does not cover are handled here: a policy file that cannot be used
 * (enforce refuses every call, naming the file and the problem), and another agent's native tools,
 * judged as the Claude Code tool that does the same ({@link NativeTools}). Thread-safe.
 */
public final class ToolCallJudge {
    /**
     * The judgement of one pre-tool hook.
     *
     * @param verdict     what to answer
     * @param callEventId the {@code tool_call} the Checkpoint recorded, or null
     * @param pause       a breaker says pause: hold the answer until resumed
     * @param record      the refusal is this class's own (a stop, an unusable policy), so the caller
     *                    records it; the Checkpoint has recorded its own refusals
     */
    public record Judgement(HookVerdict verdict, String callEventId, boolean pause, boolean record) {
    }

    private final ProjectConfigs.Project project;
    private final PolicyMode mode;
    private final Checkpoint checkpoint;
    private final WatchedSession watch;
    private final Map<String, String> callEvents = new ConcurrentHashMap<>();
    private volatile HookVerdict stopped;
    private volatile boolean pauseTripped;

    /**
     * @param checkpoint the project's checkpoint (its policy, with the mode)
     * @param watch      the session's breakers, wired to their actions; null when none apply
     */
    public ToolCallJudge(ProjectConfigs.Project project, PolicyMode mode, Checkpoint checkpoint, WatchedSession watch) {
        this.project = project;
        this.mode = mode;
        this.checkpoint = checkpoint;
        this.watch = watch;
    }

    public ProjectConfigs.Project project() {
        return project;
    }

    public PolicyMode mode() {
        return mode;
    }

    public WatchedSession watch() {
        return watch;
    }

    /**
     * What a recorder of this session shows its events to (set with
     * {@link SessionRecorder#classifyInline}): the breakers, and the ids of the calls it records.
     */
    public void observed(TraceEvent e) {
        if (EventTypes.TOOL_CALL.equals(e.eventType()) && e.data() != null && e.data().path("request_id").isTextual()) {
            callEvents.put(e.data().get("request_id").asText(), e.eventId());
        }
        if (watch == null) {
            return;
        }
        for (Alert a : watch.observe(e)) {
            if (a.has(ActionKind.KILL) && stopped == null) {
                stopped = stopVerdict(a);
            } else if (a.has(ActionKind.PAUSE)) {
                pauseTripped = true;
            }
        }
    }

    /**
     * Judges a tool call before it runs, recording it in {@code recorder} (the session's).
     * The call is handed to the Checkpoint as the tool the firewall knows ({@link NativeTools}),
     * and recorded once as the agent called it ({@link HookCall#requestId()}); a call that stands
     * for several (a patch of three files) is judged once per part, each refusal under that one call.
     */
    public Judgement preTool(HookCall call, SessionRecorder recorder) {
        HookVerdict stop = stopped;
        String id = call.requestId();
        List<NativeTools.Judged> parts = NativeTools.judgedAs(call.agent(), call.toolName(), call.toolInput());
        String firstEvent = null;
        HookVerdict verdict = HookVerdict.ALLOW;
        boolean pause;
        synchronized (this) {
            pauseTripped = false;
            for (int i = 0; i < parts.size(); i++) {
                NativeTools.Judged p = parts.get(i);
                // recorded once, as the agent called it (its result will carry the same name and
                // key); each part judged as the tool the policy knows, its refusal under that call
                Checkpoint.Verdict v = checkpoint.toolCall(p.tool(), p.arguments(), TextNode.valueOf(id), "hook", recorder, watch,
                        i == 0 ? nativeName(call) : null, call.toolInput());
                String event = callEvents.remove(id);
                if (firstEvent == null) {
                    firstEvent = event;
                }
                if (verdict.allows() && !v.allowed()) {
                    verdict = HookVerdict.deny(reason(v.reason(), p.tool(), call.toolName()), null);
                }
            }
            pause = pauseTripped;
        }
        if (stop == null && stopped != null) {
            stop = stopped;
        }
        if (stop != null) {
            return new Judgement(stop, firstEvent, false, true);
        }
        if (project.policyProblem() != null && mode == PolicyMode.ENFORCE) {
            return new Judgement(HookVerdict.deny("Blocked by agent-trace: the policy " + project.policyFile() + " cannot be used ("
                    + project.policyProblem() + "); fix it. The tool \"" + call.toolName() + "\" was NOT run.", unusable(call)), firstEvent, false, true);
        }
        return new Judgement(verdict, firstEvent, verdict.allows() && pause, false);
    }

    /**
     * Shows any other event of the session (a result, an error, a prompt) to the breakers. Returns
     * the stop verdict once a {@code kill} rule has tripped (every later hook then says stop), else null.
     */
    public HookVerdict observe(TraceEvent e) {
        observed(e);
        return stopped;
    }

    /** The clock moved: breakers that time alone trips (a hung call, the duration limit). */
    public void tick(double nowEpochSeconds) {
        if (watch == null) {
            return;
        }
        for (Alert a : watch.tick(nowEpochSeconds)) {
            if (a.has(ActionKind.KILL) && stopped == null) {
                stopped = stopVerdict(a);
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
            for (Alert a : watch.watch().observe(e)) {
                if (a.has(ActionKind.KILL) && stopped == null) {
                    stopped = stopVerdict(a);
                }
            }
        }
        watch.replayed();
    }

    /** Non-null once a kill rule stopped the session. */
    public HookVerdict stopped() {
        return stopped;
    }

    private static String nativeName(HookCall call) {
        return call.toolName() == null ? "" : call.toolName();
    }

    private static String reason(String checkpointReason, String judgedAs, String nativeName) {
        String r = checkpointReason == null ? "Blocked by agent-trace. The tool \"" + nativeName + "\" was NOT run." : checkpointReason;
        if (!judgedAs.equals(nativeName)) {
            r = r.replace("The tool \"" + judgedAs + "\"", "The tool \"" + nativeName + "\" (judged as " + judgedAs + ")");
        }
        return r;
    }

    private ObjectNode unusable(HookCall call) {
        ObjectNode d = JsonNodeFactory.instance.objectNode();
        d.put("decision", "block");
        d.put("tool", call.toolName());
        d.put("reason", "policy file unusable: " + project.policyProblem());
        d.put("policy", project.policyFile().toString());
        return d;
    }

    private static HookVerdict stopVerdict(Alert a) {
        ObjectNode d = a.toJson();
        d.put("decision", "stop");
        return HookVerdict.stop("Stopped by agent-trace watch: rule \"" + a.rule() + "\" tripped: " + a.message()
                + ". This tool call and every later one were NOT run; the agent session is stopped."
                + (a.suggestion() == null ? "" : " " + a.suggestion()), d);
    }

}
