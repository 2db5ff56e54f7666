package dev.agenttrace.bench.stdio;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Percentiles (nearest rank) and medians, the only statistics the benchmarks report. */
final class Stats {
    private Stats() {
    }

    static double percentile(double[] xs, double q) {
        if (xs.length == 0) return Double.NaN;
        double[] s = xs.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(q * s.length) - 1;
        return s[Math.min(s.length - 1, Math.max(0, rank))];
    }

    /** Median of the values that are numbers (NaN marks a value a run could not give). */
    static double median(List<Double> xs) {
        List<Double> v = new ArrayList<>();
        for (Double x : xs) if (x != null && !x.isNaN()) v.add(x);
        if (v.isEmpty()) return Double.NaN;
        v.sort(null);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    static double max(double[] xs) {
        double m = Double.NaN;
        for (double x : xs) m = Double.isNaN(m) ? x : Math.max(m, x);
        return m;
    }
}
