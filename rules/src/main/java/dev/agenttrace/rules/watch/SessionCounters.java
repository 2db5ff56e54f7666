package dev.agenttrace.rules.watch;

import java.util.List;

/**
 * What {@code agent-trace watch} shows per session and a post-mortem records.
 *
 * @param costEstimated true when the cost comes from payload size, false when from real token counts
 * @param tripped       rule names that tripped, in order
 * @param blocked       the rule that blocked the session, or null
 */
public record SessionCounters(String sessionId, long toolCalls, long errors, double costUsd, boolean costEstimated,
                              long totalTokens, String model, double elapsedSeconds, int filesModified,
                              int consecutiveTestFailures, int outstandingCalls, boolean ended, List<String> tripped,
                              String blocked) {
    public SessionCounters {
        tripped = List.copyOf(tripped);
    }
}
