package dev.agenttrace.export.health;

import java.util.Map;

/**
 * The six health signals of one run (session).
 *
 * @param baselineUsd    median cost of the agent's previous runs (up to N), or null with none before it
 * @param costRatio      cost / baseline, or null
 * @param loopTriggers   loop findings of the watchers over this run (offline), plus loop alerts it recorded inline
 * @param retryTriggers  the same for retries
 * @param breakerTrips   circuit-breaker alerts recorded in the run
 * @param breakerState   {@code closed}; {@code open} when a trip blocked, paused or killed and no resume followed
 * @param budgetUse      fraction of each watch budget used: {@code cost}, {@code tokens}, {@code duration}
 * @param errorsByKind   failed tool calls by {@code ErrorKind}
 * @param cacheReadShare cache reads / all input tokens, or null when the trace has no token counts
 */
public record RunHealth(String sessionId, String agent, Double startedAt, double costUsd, boolean costEstimated,
                        Double baselineUsd, Double costRatio, boolean costAlert, int loopTriggers, int retryTriggers,
                        int breakerTrips, String breakerState, Map<String, Double> budgetUse, long toolCalls,
                        long toolErrors, Map<String, Long> errorsByKind, Double cacheReadShare) {

    public double errorRate() {
        return toolCalls == 0 ? 0 : Math.min(1.0, (double) toolErrors / toolCalls);
    }
}
