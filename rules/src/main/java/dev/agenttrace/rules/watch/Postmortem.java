package dev.agenttrace.rules.watch;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * {@code <session>/watchdog-postmortem.json}, written when {@code kill} fires: the keys agent-strace's
 * newer watchdog writes (its VS Code extension watches for this file) plus the alert, the counters
 * and the last events, so whoever restarts the agent knows where it stopped.
 */
public final class Postmortem {
    public static final String FILE_NAME = "watchdog-postmortem.json";

    private Postmortem() {
    }

    static ObjectNode build(Alert a, SessionWatch watch, long agentPid, String signals) {
        double now = System.currentTimeMillis() / 1000.0;
        SessionCounters c = watch.counters(now);
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("session_id", watch.sessionId());
        n.put("terminated_at", now);
        n.put("reason", a.rule() + ": " + a.message() + " -> kill");
        n.put("elapsed_seconds", Math.round(c.elapsedSeconds() * 10) / 10.0);
        n.put("cost_at_death", Math.round(c.costUsd() * 1e6) / 1e6);
        Call last = watch.lastCall();
        if (last != null) {
            ObjectNode lc = n.putObject("last_tool_call");
            lc.put("tool_name", last.tool);
            lc.set("arguments", last.arguments == null ? JsonNodeFactory.instance.objectNode() : last.arguments);
        } else {
            n.putNull("last_tool_call");
        }
        List<TraceEvent> recent = watch.recentEvents();
        TraceEvent lastLlm = null;
        for (TraceEvent e : recent) {
            if (EventTypes.LLM_RESPONSE.equals(e.eventType()) || EventTypes.ASSISTANT_RESPONSE.equals(e.eventType())) {
                lastLlm = e;
            }
        }
        if (lastLlm != null) {
            n.set("last_llm_response", lastLlm.data());
        } else {
            n.putNull("last_llm_response");
        }
        n.put("recovery_context", String.format(Locale.ROOT,
                "Session %s was terminated after %.0fs ($%.4f spent). Reason: %s. %s Resume from the last tool call above.",
                watch.sessionId(), c.elapsedSeconds(), c.costUsd(), a.message(), a.suggestion() == null ? "" : a.suggestion()));
        n.set("alert", a.toJson());
        if (agentPid > 0) {
            n.put("agent_pid", agentPid);
        }
        n.put("signals", signals);
        ObjectNode counters = n.putObject("counters");
        counters.put("tool_calls", c.toolCalls());
        counters.put("errors", c.errors());
        counters.put("cost_usd", Math.round(c.costUsd() * 1e6) / 1e6);
        counters.put("cost_estimated", c.costEstimated());
        counters.put("total_tokens", c.totalTokens());
        counters.put("model", c.model());
        counters.put("files_modified", c.filesModified());
        counters.put("consecutive_test_failures", c.consecutiveTestFailures());
        counters.put("calls_waiting", c.outstandingCalls());
        ArrayNode tripped = counters.putArray("tripped");
        c.tripped().forEach(tripped::add);
        ArrayNode events = n.putArray("recent_events");
        for (TraceEvent e : recent) {
            try {
                events.add(TraceJson.mapper().readTree(TraceJson.eventLine(e)));
            } catch (IOException ex) {
                // an event that does not serialise is left out of the post-mortem
            }
        }
        n.put("written_by", "agent-trace watch");
        return n;
    }

    /** Writes the post-mortem atomically (temp file and rename); returns its path. */
    static Path write(Path sessionDir, ObjectNode postmortem) throws IOException {
        Files.createDirectories(sessionDir);
        Path target = sessionDir.resolve(FILE_NAME);
        Path tmp = sessionDir.resolve("." + FILE_NAME + ".tmp");
        Files.write(tmp, postmortem.toPrettyString().getBytes(StandardCharsets.UTF_8));
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }
}
