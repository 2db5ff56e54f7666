package dev.agenttrace.report.dashboard;

import dev.agenttrace.store.analysis.SessionSummary;
import java.util.List;
import java.util.Map;

/**
 * One session as a point on the dashboard's trends.
 *
 * @param baselineUsd the median cost of the sessions before it in the window (null for the first)
 * @param errorKinds  failed calls by kind ({@code timeout}, {@code not_found}, ...), as the
 *                    {@code error_kind} watcher classifies them
 * @param loops       loops the lint's loop watcher finds in the session
 * @param trips       breaker alerts recorded in the session (decisions of kind {@code alert})
 * @param blocked     calls the firewall refused
 * @param toolP50Ms   per tool, the median latency ({@code stats})
 * @param tasks        the session's tasks: its phases, each starting at a user prompt (1 for a session without prompts)
 * @param filesTouched distinct paths read or written ({@link SessionSummary#filesRead()} and {@code filesWritten()})
 * @param tools        the tools called at least once, sorted
 */
public record SessionTrend(String sessionId, String agentName, Double startedAt, double durationMs, double costUsd,
                           Double baselineUsd, long toolCalls, long errors, Map<String, Long> errorKinds, long loops,
                           long retries, long trips, long blocked, Map<String, Double> toolP50Ms, int tasks,
                           long filesTouched, List<String> tools) {

    /** Retries per task: the retries of the session over its tasks. */
    public double retriesPerTask() {
        return tasks == 0 ? retries : (double) retries / tasks;
    }
}
