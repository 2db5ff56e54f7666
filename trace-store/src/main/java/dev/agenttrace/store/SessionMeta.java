package dev.agenttrace.store;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code meta.json}. Only the fields agent-strace's {@code SessionMeta} declares may be written:
 * its reader is {@code SessionMeta(**json)} and skips a session whose meta has any other key.
 * Free-form facts (pids, MCP client and server, framing) therefore live in {@link #attribution},
 * which Python reads as a plain dict. Zero, null and "" are omitted when written, as Python does.
 */
public final class SessionMeta {
    public String sessionId;
    public Double startedAt;
    public Double endedAt;
    public String agentName;
    public String command;
    public long toolCalls;
    public long llmRequests;
    public long errors;
    public long totalTokens;
    public double totalDurationMs;
    public String parentSessionId;
    public String parentEventId;
    public int depth;
    /** os_user, hostname, pid, ppid, process_name, working_dir, git_* ... plus agent-trace's extras. */
    public ObjectNode attribution = JsonNodeFactory.instance.objectNode();
    /**
     * Why this session could not be read as it should (its meta.json missing, empty, not JSON, a
     * directory, a FIFO...), or null. Never written: a reader's finding, shown by {@code list}.
     */
    public String damage;
    /**
     * The counters came from the events, not the meta (the meta was damaged, or stale because the
     * recorder was killed or is still running). Never written.
     */
    public boolean countedFromEvents;

    /**
     * A client's probe, not work: the session ended within a second of its start with no tool call,
     * no LLM request and no error (mcp-remote and IDEs start a server to see that it answers, then
     * stop it). {@code list} and {@code list_sessions} leave probes out unless asked for them.
     */
    public boolean isProbe() {
        return damage == null && startedAt != null && endedAt != null && endedAt - startedAt < 1.0
                && toolCalls == 0 && llmRequests == 0 && errors == 0;
    }

    /**
     * The session of a proxy ({@code record}, {@code record-http}): the agent and what was run, where
     * and by whom ({@link Attribution}), and this process's pid as {@code proxy_pid}.
     */
    public static SessionMeta ofProxy(String sessionId, double startedAt, String agentName, String command) {
        SessionMeta m = new SessionMeta();
        m.sessionId = sessionId;
        m.startedAt = startedAt;
        m.agentName = agentName;
        m.command = command;
        m.attribution = Attribution.collect(java.nio.file.Path.of("").toAbsolutePath());
        m.attribution.put("proxy_pid", ProcessHandle.current().pid());
        return m;
    }

    /**
     * What guards the session, for {@code list} and {@code show}: the policy file and its mode, the
     * watch files, and the agent process the breakers act on (null or 0: none).
     */
    public SessionMeta guardedBy(String policyFile, String policyMode, java.util.List<String> watchSources, long agentPid) {
        if (policyFile != null) {
            attribution.put("policy", policyFile);
            attribution.put("policy_mode", policyMode);
        }
        if (watchSources != null) {
            attribution.put("watch", String.join(", ", watchSources));
        }
        if (agentPid > 0) {
            attribution.put("agent_pid", agentPid);
        }
        return this;
    }

    public SessionMeta copy() {
        SessionMeta m = new SessionMeta();
        m.sessionId = sessionId;
        m.startedAt = startedAt;
        m.endedAt = endedAt;
        m.agentName = agentName;
        m.command = command;
        m.toolCalls = toolCalls;
        m.llmRequests = llmRequests;
        m.errors = errors;
        m.totalTokens = totalTokens;
        m.totalDurationMs = totalDurationMs;
        m.parentSessionId = parentSessionId;
        m.parentEventId = parentEventId;
        m.depth = depth;
        m.attribution = attribution == null ? null : attribution.deepCopy();
        m.damage = damage;
        m.countedFromEvents = countedFromEvents;
        return m;
    }
}
