package dev.agenttrace.report.dashboard;

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
 */
public record SessionTrend(String sessionId, String agentName, Double startedAt, double durationMs, double costUsd,
                           Double baselineUsd, long toolCalls, long errors, Map<String, Long> errorKinds, long loops,
                           long retries, long trips, long blocked, Map<String, Double> toolP50Ms) {
}
