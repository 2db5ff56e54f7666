package dev.agenttrace.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.rules.scope.Decision;
import dev.agenttrace.rules.scope.JudgeContext;
import dev.agenttrace.rules.scope.ScopePolicy;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The firewall run over stored sessions: the backtest a user runs before switching a policy to
 * enforce. Same evaluator as the proxies; each session is judged against the directory it was
 * recorded in (its {@code attribution.working_dir}) unless a root is given, so the absolute paths
 * a Claude Code hook session stores are made relative to the right project.
 */
public final class SessionAudit {

    /** One tool call the policy blocks. */
    public record Violation(String sessionId, String eventId, double timestamp, String tool, JsonNode arguments,
                            Decision decision, boolean wasBlocked) {
        /** One element of {@code audit --json}'s {@code violations}. */
        public ObjectNode toJson() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("event_id", eventId);
            o.put("timestamp", timestamp);
            o.put("tool_name", tool);
            o.set("arguments", arguments);
            o.put("was_blocked", wasBlocked);
            o.set("decision", decision.toJson());
            return o;
        }
    }

    /** The audit of one session. */
    public record Report(SessionMeta session, Path root, int calls, List<Violation> violations, List<String> warnings) {
        /** {@code audit --json}: one object per session (the caller adds what it knows of the trace's coverage). */
        public ObjectNode toJson() {
            ObjectNode s = JsonNodeFactory.instance.objectNode();
            s.put("session_id", session.sessionId);
            s.put("root", root.toString());
            s.put("tool_calls", calls);
            ArrayNode vs = s.putArray("violations");
            violations.forEach(v -> vs.add(v.toJson()));
            return s;
        }
    }

    private SessionAudit() {
    }

    /** The directory a session's calls are judged from: the override, else where it was recorded, else the working directory. */
    public static Path rootOf(SessionMeta session, Path rootOverride) {
        Path root = rootOverride;
        if (root == null && session.attribution != null && session.attribution.hasNonNull("working_dir")) {
            root = Path.of(session.attribution.get("working_dir").asText());
        }
        return root != null ? root : Path.of("").toAbsolutePath();
    }

    /**
     * @param rootOverride judge against this root instead of the session's working directory
     * @param home         the home directory {@code ~} expands to
     */
    public static Report audit(TraceStore store, SessionMeta session, ScopePolicy policy, Path rootOverride, Path home) {
        Path root = rootOf(session, rootOverride);
        ScopeFirewall firewall = new ScopeFirewall(policy, new JudgeContext(root, home));
        List<Violation> violations = new ArrayList<>();
        List<String> blockedCalls = new ArrayList<>();
        int[] calls = {0};
        List<String> warnings = store.forEachEvent(session.sessionId, e -> {
            if (EventTypes.DECISION.equals(e.eventType()) && "policy_violation".equals(e.data().path("kind").asText())
                    && "block".equals(e.data().path("choice").asText()) && e.parentId() != null) {
                blockedCalls.add(e.parentId());
            }
            if (!EventTypes.TOOL_CALL.equals(e.eventType())) {
                return;
            }
            calls[0]++;
            String tool = e.data().path("tool_name").asText("");
            JsonNode args = e.data().get("arguments");
            Decision d = firewall.judge(tool, args);
            if (d.blocked()) {
                violations.add(new Violation(session.sessionId, e.eventId(), e.timestamp(), tool, args, d, false));
            }
        });
        List<Violation> marked = new ArrayList<>(violations.size());
        for (Violation v : violations) {
            marked.add(blockedCalls.contains(v.eventId())
                    ? new Violation(v.sessionId(), v.eventId(), v.timestamp(), v.tool(), v.arguments(), v.decision(), true) : v);
        }
        return new Report(session, root, calls[0], marked, warnings);
    }
}
