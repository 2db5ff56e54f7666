package dev.agenttrace.report.dashboard;

import dev.agenttrace.report.dashboard.DriftReport.Change;
import dev.agenttrace.report.dashboard.DriftReport.Row;
import dev.agenttrace.store.TraceStore;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * How an agent's behaviour moves across its sessions, on the dashboard's own per-session numbers
 * ({@link Trends}): each session's metrics against a rolling baseline, the median of the same
 * agent's previous {@code window} sessions, and the sessions where a metric moved.
 *
 * <p>A metric has changed when it is at least {@code factor} times its baseline (or at most
 * {@code 1/factor} of it) and differs from it by at least the metric's floor
 * ({@link Metric#floor}); the floor keeps 1 retry against 0 or a 20 s longer run from being
 * news. A baseline needs {@link #minHistory} earlier sessions. A tool has appeared when none of
 * the baseline sessions called it, and vanished when every one of them did and this one did not.
 */
public final class Drift {
    public static final int DEFAULT_WINDOW = 5;
    public static final double DEFAULT_FACTOR = 2.0;

    /** The numbers compared, each with its floor: the least difference from the baseline that counts. */
    public enum Metric {
        RETRIES_PER_TASK("retries_per_task", 1),
        FILES_TOUCHED("files_touched", 5),
        DURATION_MS("duration_ms", 60_000),
        BLOCKED("blocked", 1),
        ERRORS("errors", 3);

        public final String wireName;
        public final double floor;

        Metric(String wireName, double floor) {
            this.wireName = wireName;
            this.floor = floor;
        }

        double of(SessionTrend t) {
            return switch (this) {
                case RETRIES_PER_TASK -> t.retriesPerTask();
                case FILES_TOUCHED -> t.filesTouched();
                case DURATION_MS -> t.durationMs();
                case BLOCKED -> t.blocked();
                case ERRORS -> t.errors();
            };
        }
    }

    private Drift() {
    }

    /** The earlier sessions a baseline needs: three, or the whole window when it is smaller. */
    public static int minHistory(int window) {
        return Math.min(3, window);
    }

    /**
     * Reads the {@code last} most recent sessions (of agents matching {@code agent}, or all) and
     * the {@code window} before them, so that the first session shown has its baseline too.
     */
    public static DriftReport read(TraceStore store, int last, String agent, int window, double factor) {
        List<SessionTrend> trends = Trends.read(store, last + window, agent, window);
        return compute(trends, window, factor, last);
    }

    /**
     * @param trends oldest first, as {@link Trends#read} returns them
     * @param shown  how many of the newest sessions to report (the ones before serve as baselines only)
     */
    public static DriftReport compute(List<SessionTrend> trends, int window, double factor, int shown) {
        if (window < 1) {
            throw new IllegalArgumentException("window " + window + " must be at least 1");
        }
        if (!(factor > 1)) {
            throw new IllegalArgumentException("factor " + factor + " must be more than 1");
        }
        Map<String, List<SessionTrend>> byAgent = new HashMap<>();
        List<Row> rows = new ArrayList<>();
        List<Change> changes = new ArrayList<>();
        int from = Math.max(0, trends.size() - shown);
        for (int i = 0; i < trends.size(); i++) {
            SessionTrend t = trends.get(i);
            List<SessionTrend> earlier = byAgent.computeIfAbsent(String.valueOf(t.agentName()), k -> new ArrayList<>());
            List<SessionTrend> base = earlier.subList(Math.max(0, earlier.size() - window), earlier.size());
            Map<Metric, Double> baseline = base.size() < minHistory(window) ? null : baseline(base);
            if (i >= from) {
                rows.add(new Row(t, baseline));
                if (baseline != null) {
                    changes.addAll(changes(t, baseline, factor));
                    changes.addAll(toolChanges(t, base));
                }
            }
            earlier.add(t);
        }
        return new DriftReport(window, factor, List.copyOf(rows), List.copyOf(changes));
    }

    private static Map<Metric, Double> baseline(List<SessionTrend> base) {
        Map<Metric, Double> out = new EnumMap<>(Metric.class);
        for (Metric m : Metric.values()) {
            out.put(m, median(base.stream().mapToDouble(m::of).sorted().toArray()));
        }
        return out;
    }

    private static List<Change> changes(SessionTrend t, Map<Metric, Double> baseline, double factor) {
        List<Change> out = new ArrayList<>();
        for (Metric m : Metric.values()) {
            double v = m.of(t);
            double b = baseline.get(m);
            if (v - b >= m.floor && v >= factor * b) {
                out.add(new Change(t, m.wireName, "up", v, b, null));
            } else if (b - v >= m.floor && v * factor <= b) {
                out.add(new Change(t, m.wireName, "down", v, b, null));
            }
        }
        return out;
    }

    private static List<Change> toolChanges(SessionTrend t, List<SessionTrend> base) {
        Set<String> ever = new TreeSet<>();
        Set<String> always = null;
        for (SessionTrend b : base) {
            ever.addAll(b.tools());
            if (always == null) {
                always = new LinkedHashSet<>(b.tools());
            } else {
                always.retainAll(b.tools());
            }
        }
        List<Change> out = new ArrayList<>();
        for (String tool : t.tools()) {
            if (!ever.contains(tool)) {
                out.add(new Change(t, "tools", "appeared", null, null, tool));
            }
        }
        for (String tool : new TreeSet<>(always == null ? Set.of() : always)) {
            if (!t.tools().contains(tool)) {
                out.add(new Change(t, "tools", "vanished", null, null, tool));
            }
        }
        return out;
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
