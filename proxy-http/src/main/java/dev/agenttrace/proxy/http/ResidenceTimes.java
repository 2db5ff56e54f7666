package dev.agenttrace.proxy.http;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * Opt-in, for {@code bench/http}: how long messages spend inside the proxy, from the read that
 * brought them to the end of the write that passed them on (the write's system call included).
 * End to end, a loopback hop on a small VM wanders by hundreds of microseconds from round to
 * round; this is the part of the added latency that is the proxy's own work.
 *
 * <p>{@code -Dagenttrace.http.timing=N} (or {@code true}: 2000) prints one line per kind on the
 * proxy's stderr after every N samples: p50, p90 and p99 of those N, in microseconds.
 */
final class ResidenceTimes {
    /** A request: its head read until it is written to the upstream. */
    static final int REQUEST = 0;
    /** A response: the read from the upstream that brings its end (most often its only read) until that is flushed to the client. */
    static final int RESPONSE = 1;
    /** An event stream: one read from the upstream until what it brought is flushed to the client. */
    static final int STREAM_READ = 2;
    private static final String[] NAMES = {"request", "response", "stream_read"};

    private final int window;
    private final PrintStream err;
    private final long[][] samples;
    private final int[] count = new int[NAMES.length];

    private ResidenceTimes(int window, PrintStream err) {
        this.window = window;
        this.err = err;
        this.samples = new long[NAMES.length][window];
    }

    /** Prints after every {@code window} samples of a kind. */
    static ResidenceTimes every(int window, PrintStream err) {
        return new ResidenceTimes(window, err);
    }

    /** Null unless {@code agenttrace.http.timing} asks for it. */
    static ResidenceTimes fromSystemProperty(PrintStream err) {
        String v = System.getProperty("agenttrace.http.timing");
        if (v == null || v.isBlank() || v.equalsIgnoreCase("false")) {
            return null;
        }
        int window = 2000;
        if (!v.equalsIgnoreCase("true")) {
            try {
                window = Math.max(1, Integer.parseInt(v.trim()));
            } catch (NumberFormatException e) {
                err.println("agent-trace: -Dagenttrace.http.timing=" + v + " is neither true nor a sample count; using 2000");
            }
        }
        return new ResidenceTimes(window, err);
    }

    /** Records one sample that began at {@code startNanos} ({@link System#nanoTime()}); ends now. */
    synchronized void add(int kind, long startNanos) {
        long[] s = samples[kind];
        s[count[kind]++] = System.nanoTime() - startNanos;
        if (count[kind] == window) {
            count[kind] = 0;
            long[] sorted = s.clone();
            Arrays.sort(sorted);
            err.println("agent-trace: timing " + NAMES[kind] + " n=" + window + " p50_us=" + micros(sorted, 50)
                    + " p90_us=" + micros(sorted, 90) + " p99_us=" + micros(sorted, 99));
        }
    }

    private static String micros(long[] sorted, int percentile) {
        int i = Math.min(sorted.length - 1, (int) ((long) sorted.length * percentile / 100));
        return String.format(java.util.Locale.ROOT, "%.1f", sorted[i] / 1000.0);
    }
}
