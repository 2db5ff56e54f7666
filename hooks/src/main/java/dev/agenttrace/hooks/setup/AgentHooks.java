package dev.agenttrace.hooks.setup;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.hooks.event.Agent;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code agent-trace setup} installs for each agent, where each agent reads it:
 *
 * <ul>
 *   <li>Claude Code ({@code .claude/settings.json}): HTTP hooks to {@code serve} for the tool and
 *       session events, a SessionStart command hook that starts serve if it is not running; with
 *       {@code --strict} PreToolUse becomes a command hook that refuses the call when agent-trace
 *       cannot answer (HTTP hooks fail open in every agent).</li>
 *   <li>Cursor ({@code .cursor/hooks.json}, {@code "version": 1}), Gemini CLI
 *       ({@code .gemini/settings.json}, timeouts in ms), Codex ({@code .codex/hooks.json}), Copilot
 *       CLI ({@code .github/hooks/agent-trace.json}): command hooks, {@code agent-trace hook <agent> <event>}.</li>
 * </ul>
 */
public final class AgentHooks {
    /** Where to install. */
    public enum Scope { PROJECT, USER }

    /**
     * @param command  how the hook runs agent-trace (the launcher's path, or {@code agent-trace} on PATH)
     * @param serveUrl serve's base URL
     * @param traceDir where a serve started by the SessionStart hook, or an in-process hook, records
     * @param strict   refuse a call when agent-trace cannot answer
     */
    public record Options(String command, URI serveUrl, Path traceDir, boolean strict) {
    }

    /** The events that can refuse a call: only these fail closed under --strict. */
    private static final java.util.Set<String> PRE_TOOL_EVENTS = java.util.Set.of("PreToolUse", "beforeShellExecution", "beforeMCPExecution",
            "beforeReadFile", "BeforeTool", "preToolUse");

    private AgentHooks() {
    }

    public static HookConfigFile.Plan plan(Agent agent, Scope scope, Path project, Path home, Options o) {
        return plan(agent, scope, project, home, home.resolve(".codex"), o);
    }

    /**
     * @param codexHome where Codex keeps its user configuration: {@code $CODEX_HOME} when set (Codex
     *                  then reads {@code hooks.json} there, not in {@code ~/.codex}), else {@code ~/.codex}
     */
    public static HookConfigFile.Plan plan(Agent agent, Scope scope, Path project, Path home, Path codexHome, Options o) {
        Path base = scope == Scope.PROJECT ? project : home;
        return switch (agent) {
            case CLAUDE_CODE -> claudeCode(base.resolve(".claude/settings.json"), o);
            case CURSOR -> commandHooks(agent, base.resolve(".cursor/hooks.json"), "\"version\": 1", o,
                    List.of("beforeShellExecution", "beforeMCPExecution", "beforeReadFile", "afterShellExecution", "afterMCPExecution",
                            "afterFileEdit", "beforeSubmitPrompt", "stop"), List.of());
            // no PreCompress: Gemini CLI 0.61 fires it before every model request, ahead of its own
            // threshold check, so it would record a compaction per turn that never happened (and
            // cost a process start per turn)
            case GEMINI -> commandHooks(agent, base.resolve(".gemini/settings.json"), null, o,
                    List.of("BeforeTool", "AfterTool", "BeforeAgent", "AfterAgent", "SessionEnd"), List.of("SessionStart"));
            case CODEX -> commandHooks(agent, scope == Scope.PROJECT ? project.resolve(".codex/hooks.json") : codexHome.resolve("hooks.json"), null, o,
                    List.of("PreToolUse", "PostToolUse", "UserPromptSubmit", "Stop", "SubagentStart", "SubagentStop", "PreCompact", "SessionEnd"),
                    List.of("SessionStart"));
            case COPILOT -> commandHooks(agent, project.resolve(".github/hooks/agent-trace.json"), "\"version\": 1", o,
                    List.of("preToolUse", "postToolUse", "postToolUseFailure", "userPromptSubmitted", "agentStop", "sessionEnd"),
                    List.of("sessionStart"));
        };
    }

    private static HookConfigFile.Plan claudeCode(Path file, Options o) {
        List<HookConfigFile.Entry> entries = new ArrayList<>();
        String url = o.serveUrl().resolve("/hooks/claude-code").toString();
        entries.add(new HookConfigFile.Entry("SessionStart", group(null, command(hookCommand(o, Agent.CLAUDE_CODE, "SessionStart", true)))));
        if (o.strict()) {
            entries.add(new HookConfigFile.Entry("PreToolUse", group("*", command(hookCommand(o, Agent.CLAUDE_CODE, "PreToolUse", false)))));
        } else {
            entries.add(new HookConfigFile.Entry("PreToolUse", group("*", http(url))));
        }
        for (String e : List.of("PostToolUse", "PostToolUseFailure", "PermissionDenied")) {
            entries.add(new HookConfigFile.Entry(e, group("*", http(url))));
        }
        for (String e : List.of("UserPromptSubmit", "SubagentStart", "SubagentStop", "Stop", "PreCompact", "SessionEnd")) {
            entries.add(new HookConfigFile.Entry(e, group(null, http(url))));
        }
        return new HookConfigFile.Plan(file, "hooks", null, entries);
    }

    private static HookConfigFile.Plan commandHooks(Agent agent, Path file, String rootExtras, Options o, List<String> events,
                                                    List<String> startEvents) {
        List<HookConfigFile.Entry> entries = new ArrayList<>();
        for (String e : startEvents) {
            entries.add(new HookConfigFile.Entry(e, entry(agent, hookCommand(o, agent, e, true), e)));
        }
        for (String e : events) {
            entries.add(new HookConfigFile.Entry(e, entry(agent, hookCommand(o, agent, e, false), e)));
        }
        return new HookConfigFile.Plan(file, "hooks", rootExtras, entries);
    }

    private static ObjectNode entry(Agent agent, String command, String event) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        switch (agent) {
            case CURSOR -> n.put("command", command);
            case COPILOT -> {
                n.put("type", "command");
                n.put("bash", command);
                n.put("timeoutSec", 30);
            }
            case GEMINI -> {
                ObjectNode h = command(command);
                h.put("name", "agent-trace");
                h.put("timeout", 60_000);
                n = group(event.endsWith("Tool") ? "*" : null, h);
            }
            default -> {
                ObjectNode h = command(command);
                // Codex clamps a SessionEnd hook to 3 s and says so on every run when asked for more
                h.put("timeout", agent == Agent.CODEX && event.equals("SessionEnd") ? 3 : 60);
                n = group(null, h);
            }
        }
        return n;
    }

    private static ObjectNode group(String matcher, ObjectNode handler) {
        ObjectNode g = JsonNodeFactory.instance.objectNode();
        if (matcher != null) {
            g.put("matcher", matcher);
        }
        g.putArray("hooks").add(handler);
        return g;
    }

    private static ObjectNode http(String url) {
        ObjectNode h = JsonNodeFactory.instance.objectNode();
        h.put("type", "http");
        h.put("url", url);
        return h;
    }

    private static ObjectNode command(String command) {
        ObjectNode h = JsonNodeFactory.instance.objectNode();
        h.put("type", "command");
        h.put("command", command);
        return h;
    }

    /** {@code 'agent-trace' hook <agent> <event> --serve-url ... --trace-dir ...}, failing closed under --strict. */
    static String hookCommand(Options o, Agent agent, String event, boolean start) {
        StringBuilder b = new StringBuilder(quote(o.command())).append(" hook ").append(agent.wireName()).append(' ').append(event)
                .append(" --serve-url ").append(quote(o.serveUrl().toString())).append(" --trace-dir ").append(quote(o.traceDir().toString()));
        if (start) {
            b.append(" --ensure-serve");
        }
        if (o.strict() && PRE_TOOL_EVENTS.contains(event)) {
            b.append(" --strict || { echo 'agent-trace did not answer: the call is refused (setup --strict)' >&2; exit 2; }");
        }
        return b.toString();
    }

    /** A word for sh: plain when it is safe, else in single quotes. */
    static String quote(String s) {
        if (s.matches("[A-Za-z0-9_./:@=+-]+")) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
