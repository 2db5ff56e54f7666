package dev.agenttrace.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.hooks.agent.AgentProtocol;
import dev.agenttrace.hooks.agent.HookReply;
import dev.agenttrace.hooks.agent.Protocols;
import dev.agenttrace.hooks.event.Agent;
import dev.agenttrace.hooks.event.HookCall;
import dev.agenttrace.hooks.event.HookInputException;
import dev.agenttrace.hooks.event.HookKind;
import dev.agenttrace.hooks.judge.HookVerdict;
import dev.agenttrace.hooks.judge.ProjectConfigs;
import dev.agenttrace.hooks.judge.ToolCallJudge;
import dev.agenttrace.hooks.record.HookSession;
import dev.agenttrace.hooks.record.HookSessions;
import dev.agenttrace.rules.PolicyMode;
import dev.agenttrace.rules.Guard;
import dev.agenttrace.rules.inline.Checkpoint;
import dev.agenttrace.rules.watch.AlertActions;
import dev.agenttrace.rules.watch.WatchedSession;
import dev.agenttrace.rules.watch.SessionContext;
import dev.agenttrace.rules.watch.SessionTarget;
import dev.agenttrace.rules.watch.SessionWatch;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceJson;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What agent-trace does with one hook event, whichever way it arrived (an HTTP hook at
 * {@code serve}, or {@code agent-trace hook} judging in-process): parse it in the agent's protocol,
 * record it in that agent session's trace, judge a tool call before it runs, and answer in the
 * agent's own words. Answers are futures only because a {@code pause} breaker holds one until
 * {@code agent-trace resume}; every other answer is complete on return. Thread-safe.
 */
public final class HookService implements AutoCloseable {
    private final HookSessions sessions;
    private final ProjectConfigs projects;
    private final PolicyMode mode;
    /** True when the mode was given on the command line: it then beats a project's own policy_mode. */
    private volatile boolean modeExplicit;
    private final AlertActions actions;
    private final PrintStream err;
    private final Duration pauseLimit;
    private final Map<HookSession, ToolCallJudge> judges = new ConcurrentHashMap<>();
    private volatile dev.agenttrace.hooks.record.McpCallLinker linker;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "agent-trace-hooks-timer");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param pauseLimit how long a paused call's answer is held at most: keep it under the agent's
     *                   hook timeout (Claude Code: 600 s), or the agent gives up and runs the tool
     */
    public HookService(HookSessions sessions, ProjectConfigs projects, PolicyMode mode, AlertActions actions, PrintStream err,
                       Duration pauseLimit) {
        this.sessions = sessions;
        this.projects = projects;
        this.mode = mode;
        this.actions = actions;
        this.err = err;
        this.pauseLimit = pauseLimit;
    }

    /**
     * The service as {@code serve} and the in-process command form run it.
     *
     * @param defaultPolicy the policy of projects without one (null: the user's default file, if any)
     * @param defaultWatch  the breakers of projects without any (null: the user's default file, if any)
     */
    public static HookService create(Path traceDir, boolean redact, PolicyMode mode, Path defaultPolicy, Path defaultWatch, PrintStream err,
                                     Duration pauseLimit) {
        return create(traceDir, redact, mode, defaultPolicy, defaultWatch, err, pauseLimit, null);
    }

    /**
     * The same, with every session also handed to {@code tee} (serve's live export and
     * {@code /metrics}), or to nothing when it is null.
     */
    public static HookService create(Path traceDir, boolean redact, PolicyMode mode, Path defaultPolicy, Path defaultWatch, PrintStream err,
                                     Duration pauseLimit, dev.agenttrace.store.EventTee tee) {
        dev.agenttrace.store.TraceStore store = dev.agenttrace.store.TraceStore.at(traceDir);
        HookSessions sessions = new HookSessions(tee == null ? store : store.teeTo(tee),
                dev.agenttrace.store.StoreOptions.defaults().withRedact(redact));
        AlertActions actions = AlertActions.builder().traceDir(traceDir).terminal(err::println).problems(s -> {
            // a hook session has no agent pid to signal: its kill and pause are the hook's answer
            if (!s.contains("pid is unknown") && !s.contains("pid to signal")) {
                err.println("agent-trace watch: " + s);
            }
        }).build();
        return new HookService(sessions, new ProjectConfigs(defaultPolicy, defaultWatch, err), mode, actions, err, pauseLimit);
    }

    public HookSessions sessions() {
        return sessions;
    }

    /**
     * Links the MCP calls the hooks see ({@code mcp__server__tool}) to the calls {@code agent-trace
     * record --name server} recorded in these stores (serve's own, ~/.agent-traces, --live-store),
     * so analyses across sessions count them once. The search runs after PostToolUse is answered.
     */
    public HookService linkMcpCalls(List<dev.agenttrace.store.TraceStore> stores) {
        dev.agenttrace.hooks.record.McpCallLinker old = linker;
        linker = stores.isEmpty() ? null : new dev.agenttrace.hooks.record.McpCallLinker(stores);
        if (old != null) {
            old.close();
        }
        return this;
    }

    /**
     * The mode was given on the command line ({@code --policy-mode}): every project is judged in it,
     * whatever its {@code .agent-trace.json} says. Otherwise a project's own {@code policy_mode} wins
     * over the default this service was made with.
     */
    public HookService modeFromCommandLine(boolean explicit) {
        this.modeExplicit = explicit;
        return this;
    }

    /**
     * One hook.
     *
     * @param eventName the event named by the URL or command line, or null to read it from the payload
     * @param body      the payload as received
     */
    public CompletableFuture<HookReply> handle(Agent agent, String eventName, byte[] body, int off, int len) {
        AgentProtocol protocol = Protocols.of(agent);
        HookCall call;
        try {
            call = protocol.parse(eventName, payload(body, off, len));
        } catch (HookInputException e) {
            return CompletableFuture.completedFuture(HookReply.badInput(e.getMessage()));
        }
        try {
            return handle(protocol, call);
        } catch (RuntimeException e) {
            // never a stack trace to the agent: a failure of agent-trace is reported, and in
            // enforce mode a call it could not judge is refused
            err.println("agent-trace: " + call.eventName() + " of session " + call.sessionId() + " failed: " + e);
            boolean refuse = call.kind() == HookKind.PRE_TOOL && mode == PolicyMode.ENFORCE;
            return CompletableFuture.completedFuture(protocol.unavailable(call, "internal error: " + e.getMessage(), refuse));
        }
    }

    /**
     * The store's reader with repeated keys refused: parsers disagree on which copy of a key wins,
     * so a payload holding two {@code command}s could be judged on one and run with the other.
     */
    private static final com.fasterxml.jackson.databind.ObjectMapper STRICT = TraceJson.mapper().copy()
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private static ObjectNode payload(byte[] body, int off, int len) throws HookInputException {
        JsonNode n;
        try {
            n = STRICT.readTree(body, off, len);
        } catch (IOException e) {
            String why = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            throw new HookInputException("the hook payload is not JSON (" + why + "); an agent sends one JSON object per hook");
        }
        if (!(n instanceof ObjectNode o)) {
            throw new HookInputException("the hook payload must be a JSON object, not " + (n == null ? "nothing" : n.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
        }
        return o;
    }

    private CompletableFuture<HookReply> handle(AgentProtocol protocol, HookCall call) {
        boolean[] isNew = {false};
        HookSession top = sessions.sessionFor(call, isNew);
        ToolCallJudge judge = judges.computeIfAbsent(top, this::newJudge);
        if (isNew[0]) {
            judge.replay(top.takeHistory());
            announce(top, judge);
        }
        HookSession s = top;
        if (call.agentId() != null && call.kind() != HookKind.SUBAGENT_STOP) {
            s = sessions.childFor(top, call, null);
        }
        HookVerdict v = switch (call.kind()) {
            case PRE_TOOL -> null;
            case USER_PROMPT -> judge.observe(s.userPrompt(call.text("prompt")));
            case POST_TOOL, POST_TOOL_FAILURE -> {
                HookVerdict stop = null;
                List<TraceEvent> written = s.toolResult(call, call.kind() == HookKind.POST_TOOL_FAILURE || failedResponse(call));
                for (TraceEvent e : written) {
                    stop = judge.observe(e);
                }
                dev.agenttrace.hooks.record.McpCallLinker l = linker;
                TraceEvent result = written.get(written.size() - 1);
                if (l != null && result.parentId() != null) {
                    double took = result.durationMs() == null ? 0 : result.durationMs() / 1000;
                    l.linkLater(s, result.parentId(), call.toolName(), call.toolInput(), result.timestamp() - took, result.timestamp());
                }
                yield stop;
            }
            case PERMISSION_DENIED -> judge.observe(s.permissionDenied(call));
            case SUBAGENT_START, SESSION_START -> judge.stopped();
            case SUBAGENT_STOP -> {
                HookSession child = call.agentId() == null ? null : top.child(call.agentId());
                if (child != null) {
                    String last = call.text("last_assistant_message");
                    if (last != null) {
                        child.assistantResponse(last);
                    }
                    sessions.endChild(top, call.agentId(), "subagent stopped");
                }
                yield judge.stopped();
            }
            case STOP -> {
                String last = call.text("last_assistant_message");
                yield last == null ? judge.stopped() : judge.observe(s.assistantResponse(last));
            }
            case PRE_COMPACT -> judge.observe(s.note("compact", call, "trigger", "custom_instructions"));
            case NOTIFICATION -> judge.observe(s.note("notification", call, "message", "title", "notification_type"));
            case SESSION_END -> {
                judges.remove(top);
                sessions.end(top, call.text("reason"));
                yield null;
            }
            case OTHER -> judge.observe(s.note("hook_event", call));
        };
        if (call.kind() != HookKind.PRE_TOOL) {
            return CompletableFuture.completedFuture(protocol.answer(call, v == null ? HookVerdict.ALLOW : v));
        }
        return preTool(protocol, call, s, judge);
    }

    /** Gemini CLI reports a failed tool in AfterTool's {@code tool_response.error}. */
    private static boolean failedResponse(HookCall call) {
        JsonNode r = call.toolResponse();
        return r != null && r.hasNonNull("error") && !r.path("error").asText("").isEmpty() && call.agent() == Agent.GEMINI;
    }

    private CompletableFuture<HookReply> preTool(AgentProtocol protocol, HookCall call, HookSession s, ToolCallJudge judge) {
        ToolCallJudge.Judgement j = judge.preTool(call, s.recorder(sessions.options(), judge::observed));
        HookVerdict v = j.verdict();
        if (v.allows()) {
            s.called(call, j.callEventId());
        } else {
            if (j.record()) {
                judge.observe(s.refused(call, j.callEventId(), v.kind() == HookVerdict.Kind.STOP ? "watch_stop" : "policy_violation",
                        v.reason(), v.decision(), true));
            }
            err.println("agent-trace: refused " + call.toolName() + " in session " + s.sessionId() + ": " + v.reason());
        }
        if (!j.pause()) {
            return CompletableFuture.completedFuture(protocol.answer(call, v));
        }
        return hold(protocol, call, s, judge);
    }

    /**
     * A pause breaker tripped on this call: the answer waits until {@code agent-trace resume}
     * removes the pause marker, or until the limit, when the call is refused (the agent would run
     * it on its own timeout otherwise).
     */
    private CompletableFuture<HookReply> hold(AgentProtocol protocol, HookCall call, HookSession s, ToolCallJudge judge) {
        Path dir = sessions.store().sessionDir(judgeSession(s).sessionId());
        Path marker = dir.resolve(AlertActions.PAUSED_MARKER);
        try {
            Files.writeString(marker, Long.toString(ProcessHandle.current().pid()), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            err.println("agent-trace: cannot write the pause marker " + marker + " (" + e.getMessage() + "); the call is refused");
            return CompletableFuture.completedFuture(protocol.answer(call, HookVerdict.deny(
                    "Paused by agent-trace watch, but the pause could not be recorded; the tool \"" + call.toolName() + "\" was NOT run.", null)));
        }
        err.println("agent-trace: paused session " + s.sessionId() + " before " + call.toolName() + "; resume it with: agent-trace resume "
                + judgeSession(s).sessionId());
        CompletableFuture<HookReply> answer = new CompletableFuture<>();
        long deadline = System.nanoTime() + pauseLimit.toNanos();
        Runnable[] poll = new Runnable[1];
        poll[0] = () -> {
            if (!Files.exists(marker)) {
                HookVerdict stop = judge.stopped();
                answer.complete(protocol.answer(call, stop != null ? stop : HookVerdict.ALLOW));
            } else if (System.nanoTime() - deadline >= 0) {
                try {
                    Files.deleteIfExists(marker);
                } catch (IOException e) {
                    // a stale marker only confuses a later resume
                }
                answer.complete(protocol.answer(call, HookVerdict.deny("Paused by agent-trace watch and not resumed within "
                        + pauseLimit.toSeconds() + " s: the tool \"" + call.toolName() + "\" was NOT run.", null)));
            } else {
                timer.schedule(poll[0], 100, TimeUnit.MILLISECONDS);
            }
        };
        timer.schedule(poll[0], 100, TimeUnit.MILLISECONDS);
        return answer;
    }

    private static HookSession judgeSession(HookSession s) {
        HookSession top = s;
        while (top.parent() != null) {
            top = top.parent();
        }
        return top;
    }

    private ToolCallJudge newJudge(HookSession top) {
        ProjectConfigs.Project project = projects.forCwd(top.cwd());
        PolicyMode mode = !modeExplicit && project.mode() != null ? project.mode() : this.mode;
        Checkpoint checkpoint = new Checkpoint(project.policy() == null ? null : new Guard(project.policy(), mode));
        WatchedSession watch = null;
        if (project.watch() != null) {
            SessionWatch w = new SessionWatch(project.watch(), new SessionContext(top.sessionId(), top.startedAt(), project.root(),
                    Path.of(System.getProperty("user.home"))));
            // no pid to signal: kill and pause are carried out through the hook's answer
            watch = new WatchedSession(new SessionTarget(w, sessions.store().sessionDir(top.sessionId()), 0, top::record, true), actions);
        }
        return new ToolCallJudge(project, mode, checkpoint, watch);
    }

    private void announce(HookSession s, ToolCallJudge judge) {
        ProjectConfigs.Project p = judge.project();
        PolicyMode mode = judge.mode();
        StringBuilder b = new StringBuilder("agent-trace: session ").append(s.sessionId()).append(" (agent session ")
                .append(s.agentSessionId()).append(") in ").append(p.root()).append(": ");
        if (p.policyProblem() != null) {
            b.append("policy ").append(p.policyFile()).append(" UNUSABLE, ").append(mode == PolicyMode.ENFORCE ? "every tool call is refused" : "nothing judged")
                    .append(" (").append(p.policyProblem()).append(")");
        } else if (p.policy() != null) {
            b.append(mode == PolicyMode.ENFORCE ? "enforcing " : "shadowing ").append(p.policyFile());
        } else {
            b.append("no policy");
        }
        if (p.watchProblem() != null) {
            b.append("; watch configuration unusable (").append(p.watchProblem()).append(")");
        } else if (p.watch() != null) {
            b.append("; breakers from ").append(String.join(", ", p.watch().sources()));
        }
        err.println(b);
    }

    /** Feeds the clock to every session's breakers (hung calls, duration limits); call about once a second. */
    public void tick(double nowEpochSeconds) {
        // the watch's clock-driven rules see time through its own tick; hook sessions have no other clock
        for (ToolCallJudge j : judges.values()) {
            j.tick(nowEpochSeconds);
        }
    }

    /** Ends sessions idle for {@code idleMillis}. */
    public void endIdle(long idleMillis) {
        for (HookSession s : sessions.endIdle(idleMillis)) {
            judges.remove(s);
        }
    }

    public List<String> openSessions() {
        return judges.keySet().stream().map(HookSession::sessionId).toList();
    }

    /** Writes out what this process recorded and stops, leaving every session open (the command form). */
    public void detach() {
        actions.awaitIdle(Duration.ofSeconds(2));
        timer.shutdownNow();
        sessions.detach();
        judges.clear();
        projects.close();
        actions.close();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        if (linker != null) {
            linker.close();
        }
        sessions.close();
        judges.clear();
        projects.close();
        actions.awaitIdle(Duration.ofSeconds(2));
    }
}
