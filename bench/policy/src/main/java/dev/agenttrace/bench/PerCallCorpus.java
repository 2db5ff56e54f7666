package dev.agenttrace.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The per-call figure of bench/policy: every call of the issue-16 corpora judged in the fixed
 * shuffled order of {@link PolicyBenchmark}, WARM rounds (default 300) untimed, then ROUNDS rounds
 * (default 41) each call timed alone; prints the median over calls of each call's median, the p90,
 * how many calls have a median at or under 10 µs, and the slowest calls.
 */
public final class PerCallCorpus {
    public static void main(String[] args) throws Exception {
        int warm = Integer.getInteger("warm", 300);
        int rounds = Integer.getInteger("rounds", 41);
        int show = Integer.getInteger("show", 25);
        PolicyBenchmark.CorpusCall[] calls = PolicyBenchmark.corpus(new ObjectMapper());
        Object sink = null;
        for (int r = 0; r < warm; r++) {
            for (PolicyBenchmark.CorpusCall c : calls) {
                sink = c.firewall().judge(c.tool(), c.args());
            }
        }
        long[][] ns = new long[calls.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < calls.length; i++) {
                PolicyBenchmark.CorpusCall c = calls[i];
                long t0 = System.nanoTime();
                sink = c.firewall().judge(c.tool(), c.args());
                ns[i][r] = System.nanoTime() - t0;
            }
        }
        double[] median = new double[calls.length];
        Integer[] order = new Integer[calls.length];
        for (int i = 0; i < calls.length; i++) {
            long[] s = ns[i].clone();
            Arrays.sort(s);
            median[i] = s[rounds / 2] / 1000.0;
            order[i] = i;
        }
        double[] sorted = median.clone();
        Arrays.sort(sorted);
        long under = Arrays.stream(median).filter(m -> m <= 10.0).count();
        System.out.printf("calls %d, rounds %d after %d warm-up rounds%n", calls.length, rounds, warm);
        System.out.printf("per-call median: p50 %.1f us, p90 %.1f us, p99 %.1f us, max %.1f us; %d of %d at or under 10 us%n",
                pct(sorted, 0.50), pct(sorted, 0.90), pct(sorted, 0.99), sorted[sorted.length - 1], under, calls.length);
        String dump = System.getProperty("dump");
        if (dump != null) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < calls.length; i++) {
                b.append(String.format("%.2f\t%s\t%s%n", median[i], calls[i].tool(), calls[i].args()));
            }
            java.nio.file.Files.writeString(java.nio.file.Path.of(dump), b);
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> median[i]).reversed());
        for (int k = 0; k < Math.min(show, order.length); k++) {
            PolicyBenchmark.CorpusCall c = calls[order[k]];
            String a = c.args().toString();
            System.out.printf("%9.1f us  %s %s%n", median[order[k]], c.tool(), a.length() > 110 ? a.substring(0, 110) + "..." : a);
        }
        // -Dprofile=S: then S seconds judging only the calls at or under the p90 (for a profiler)
        int profile = Integer.getInteger("profile", 0);
        if (profile > 0) {
            double cut = pct(sorted, 0.90);
            java.util.List<PolicyBenchmark.CorpusCall> common = new java.util.ArrayList<>();
            for (int i = 0; i < calls.length; i++) {
                if (median[i] <= cut) {
                    common.add(calls[i]);
                }
            }
            long end = System.nanoTime() + profile * 1_000_000_000L;
            long n = 0;
            while (System.nanoTime() < end) {
                for (PolicyBenchmark.CorpusCall c : common) {
                    sink = c.firewall().judge(c.tool(), c.args());
                }
                n += common.size();
            }
            System.out.printf("profiled %d judgements of the %d calls at or under the p90%n", n, common.size());
        }
        if (sink == null) {
            System.out.println();
        }
    }

    private static double pct(double[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }
}
