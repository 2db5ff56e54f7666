package dev.agenttrace.rules.config;

import java.util.List;
import java.util.Locale;

/** "Did you mean": the known word closest to a misspelling. */
public final class Spelling {
    private Spelling() {
    }

    /** The known word closest to {@code key}, if close enough to be the likely intent; else null. */
    public static String nearest(String key, List<String> known) {
        String lower = key.toLowerCase(Locale.ROOT).replace('-', '_');
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = k.equals(lower) ? 0 : distance(lower, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        int limit = key.length() <= 4 ? 1 : key.length() <= 7 ? 2 : 3;
        return bestDistance <= limit ? best : null;
    }

    /** Optimal string alignment distance: edits, with a swap of neighbours counted once. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
