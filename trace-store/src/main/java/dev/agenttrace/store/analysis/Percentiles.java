package dev.agenttrace.store.analysis;

/** Nearest-rank percentiles: always a value that was measured, never an interpolation. */
public final class Percentiles {
    private Percentiles() {
    }

    /** The {@code p}th percentile of an ascending array, or null when it is empty. */
    public static Double nearestRank(double[] sorted, double p) {
        if (sorted.length == 0) {
            return null;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
