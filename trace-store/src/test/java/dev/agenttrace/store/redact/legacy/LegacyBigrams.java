package dev.agenttrace.store.redact.legacy;

/**
 * One pass over a text that says which anchors' first two characters occur in it, so that
 * {@code indexOf} runs only for anchors that can be there: a hundred anchors cost one table
 * lookup per character instead of a hundred scans. Characters above U+00FF alias (a false
 * "maybe", never a miss).
 */
final class LegacyBigrams {
    private static final short[] ID = new short[1 << 16];
    /** Anchors matched in any case, by their ASCII-folded bigram. */
    private static final short[] ID_FOLDED = new short[1 << 16];
    private static int next = 1;

    private LegacyBigrams() {
    }

    /** The id of an anchor's first bigram (with {@code ignoreCase}, in any ASCII case). */
    static synchronized int register(String anchor, boolean ignoreCase) {
        short[] table = ignoreCase ? ID_FOLDED : ID;
        int key = ignoreCase ? index((char) (anchor.charAt(0) | 0x20), (char) (anchor.charAt(1) | 0x20))
                : index(anchor.charAt(0), anchor.charAt(1));
        if (table[key] != 0) {
            return table[key];
        }
        if (next >= 128) {
            throw new IllegalStateException("more than 127 anchor bigrams");
        }
        table[key] = (short) next;
        return next++;
    }

    private static int index(char a, char b) {
        return (a & 0xff) << 8 | b & 0xff;
    }

    /** The ids present in {@code s}: bit {@code id} of {@code out[id >> 6]}. */
    static void scan(String s, long[] out) {
        out[0] = 0;
        out[1] = 0;
        int n = s.length();
        if (n < 2) {
            return;
        }
        int prev = s.charAt(0) & 0xff;
        for (int i = 1; i < n; i++) {
            int c = s.charAt(i) & 0xff;
            int id = ID[prev << 8 | c];
            if (id != 0) {
                out[id >> 6] |= 1L << (id & 63);
            }
            id = ID_FOLDED[(prev | 0x20) << 8 | c | 0x20];
            if (id != 0) {
                out[id >> 6] |= 1L << (id & 63);
            }
            prev = c;
        }
    }

    static boolean has(long[] present, int id) {
        return (present[id >> 6] & 1L << (id & 63)) != 0;
    }
}
