package dev.agenttrace.store.redact;

import java.util.Arrays;

/**
 * One pass over a text that says exactly which of the redactor's literals occur in it: the
 * anchors of the {@link TokenFormats}, the triggers of the context rules, the stems of
 * {@link SecretNames}. A table indexed by each pair of adjacent characters (their low bytes)
 * names the few literals that start with that pair; only there is a literal compared with the
 * text. So ordinary text costs one table lookup per character, a literal that is absent costs
 * nothing more, and a regex runs only when its anchor is really there (a bigram alone, "gh" or
 * "sk", said "maybe" for most texts and cost an {@code indexOf} over the whole text per anchor).
 *
 * <p>A literal is matched either exactly or ASCII-case-insensitively ({@code (c | 0x20) == lower}
 * for each character: what {@link SecretNames#mayContainSecretName} always did, and a superset
 * of what a {@code (?i:...)} regex without {@code UNICODE_CASE} can match).
 *
 * <p>Literals are registered by the static initialisers of the classes that use them, all of
 * which run before {@link Redactor} finishes its own; nothing registers afterwards.
 */
final class Anchors {
    /** Bigram (low bytes of two adjacent characters) to the index of its list in {@link #lists}; 0: none. */
    private static final byte[] BUCKET = new byte[1 << 16];
    private static int[][] lists = new int[1][];
    /**
     * Per list, 256 bits: the low bytes of the third characters its literals can have (all of
     * them when one is two characters long), so that most bigram hits compare nothing.
     */
    private static long[] third = new long[4];
    private static String[] literals = new String[0];
    private static boolean[] folded = new boolean[0];

    private Anchors() {
    }

    /** The id of a literal (two characters or more); the same literal registered twice gets one id. */
    static synchronized int register(String literal, boolean foldAscii) {
        if (literal.length() < 2) {
            throw new IllegalArgumentException("an anchor needs two characters: " + literal);
        }
        if (foldAscii) {
            for (int i = 0; i < literal.length(); i++) {
                char c = literal.charAt(i);
                if (c < 'a' || c > 'z') {
                    throw new IllegalArgumentException("a case-insensitive anchor is lower-case ASCII letters: " + literal);
                }
            }
        }
        for (int id = 0; id < literals.length; id++) {
            if (literals[id].equals(literal) && folded[id] == foldAscii) {
                return id;
            }
        }
        int id = literals.length;
        literals = Arrays.copyOf(literals, id + 1);
        folded = Arrays.copyOf(folded, id + 1);
        literals[id] = literal;
        folded[id] = foldAscii;
        char a = literal.charAt(0);
        char b = literal.charAt(1);
        char[] thirds = literal.length() == 2 ? null : foldAscii ? new char[] {literal.charAt(2), (char) (literal.charAt(2) - 0x20)}
                : new char[] {literal.charAt(2)};
        if (foldAscii) {
            for (char x : new char[] {a, (char) (a - 0x20)}) {
                for (char y : new char[] {b, (char) (b - 0x20)}) {
                    allowThird(add(key(x, y), id), thirds);
                }
            }
        } else {
            allowThird(add(key(a, b), id), thirds);
        }
        return id;
    }

    /** @param thirds null: any */
    private static void allowThird(int list, char[] thirds) {
        if (thirds == null) {
            for (int w = 0; w < 4; w++) {
                third[list << 2 | w] = -1L;
            }
            return;
        }
        for (char c : thirds) {
            int low = c & 0xff;
            third[list << 2 | low >> 6] |= 1L << (low & 63);
        }
    }

    /** @return the list the bigram's literals are in */
    private static int add(int key, int id) {
        int list = BUCKET[key] & 0xff;
        if (list == 0) {
            if (lists.length > 255) {
                throw new IllegalStateException("more than 255 anchor bigrams");
            }
            list = lists.length;
            lists = Arrays.copyOf(lists, list + 1);
            lists[list] = new int[0];
            third = Arrays.copyOf(third, (list + 1) << 2);
            BUCKET[key] = (byte) list;
        }
        int[] ids = lists[list];
        for (int x : ids) {
            if (x == id) {
                return list;
            }
        }
        ids = Arrays.copyOf(ids, ids.length + 1);
        ids[ids.length - 1] = id;
        lists[list] = ids;
        return list;
    }

    private static int key(char a, char b) {
        return (a & 0xff) << 8 | b & 0xff;
    }

    /** The literals present in {@code s}: bit {@code id} of {@code [id >> 6]}. */
    static long[] scan(String s) {
        String[] lits = literals;
        long[] present = new long[(lits.length >> 6) + 1];
        int n = s.length();
        if (n < 2) {
            return present;
        }
        byte[] bucket = BUCKET;
        long[] thirds = third;
        int prev = s.charAt(0) & 0xff;
        for (int i = 1; i < n; i++) {
            int c = s.charAt(i) & 0xff;
            int list = bucket[prev << 8 | c] & 0xff;
            prev = c;
            if (list != 0) {
                if (i + 1 < n) {
                    int c3 = s.charAt(i + 1) & 0xff;
                    if ((thirds[list << 2 | c3 >> 6] & 1L << (c3 & 63)) == 0) {
                        continue; // no literal of this bigram goes on with this character
                    }
                }
                verify(s, i - 1, lists[list], present);
            }
        }
        return present;
    }

    private static void verify(String s, int at, int[] ids, long[] present) {
        for (int id : ids) {
            long bit = 1L << (id & 63);
            if ((present[id >> 6] & bit) != 0) {
                continue;
            }
            String lit = literals[id];
            int last = at + lit.length() - 1;
            if (last >= s.length()) {
                continue;
            }
            // the last character first: in a run of dashes "-----BEGIN" fails there at once
            char end = s.charAt(last);
            if (folded[id] ? (end | 0x20) == lit.charAt(lit.length() - 1) && foldedAt(s, at, lit)
                    : end == lit.charAt(lit.length() - 1) && s.startsWith(lit, at)) {
                present[id >> 6] |= bit;
            }
        }
    }

    private static boolean foldedAt(String s, int at, String lower) {
        int n = lower.length();
        if (at + n > s.length()) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            if ((s.charAt(at + k) | 0x20) != lower.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** How many literals are registered. */
    static synchronized int count() {
        return literals.length;
    }

    static boolean has(long[] present, int id) {
        return (present[id >> 6] & 1L << (id & 63)) != 0;
    }
}
