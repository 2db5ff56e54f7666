package dev.agenttrace.rules.watch;

import dev.agenttrace.store.TraceEvent;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Where a session's alerts act.
 *
 * @param watch      the session's watch (the post-mortem reads its counters and recent events)
 * @param sessionDir the session's directory (post-mortem, pause marker); null if there is none
 * @param agentPid   the agent to pause or kill (meta {@code attribution.agent_pid}, or
 *                   {@code --agent-pid}); 0 if unknown
 * @param recorder   records alert events in the session's trace; null to record nothing
 * @param canBlock   the caller refuses calls when {@link SessionWatch#blocked()} says so (inline);
 *                   false for a watch of a session another process records
 */
public record SessionTarget(SessionWatch watch, Path sessionDir, long agentPid, Consumer<TraceEvent> recorder, boolean canBlock) {

    public String sessionId() {
        return watch.sessionId();
    }
}
