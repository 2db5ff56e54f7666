package dev.agenttrace.rules.scope.shell;

import java.util.ArrayList;
import java.util.List;

/**
 * Bash brace expansion of one word: {@code {.e,x}nv} is {@code .env} and {@code xnv},
 * {@code a{1..3}} is {@code a1 a2 a3}, {@code {cat,.env}} is two words. Applied to the whole text
 * of a word whose {@code {} was unquoted (a quoted part is expanded too: that only adds readings,
 * so it can make a judgement stricter, never looser).
 */
public final class BraceExpansion {
    /** More words than this and the command is judged undetermined rather than enumerated. */
    public static final int MAX_WORDS = 256;

    private BraceExpansion() {
    }

    /**
     * @return the words, the text itself when it holds no expansion, or null if it expands to more
     *         than {@value #MAX_WORDS} words
     */
    public static List<String> expand(String text) {
        List<String> out = new ArrayList<>();
        return expandInto(text, out) ? out : null;
    }

    private static boolean expandInto(String text, List<String> out) {
        int open = -1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '{') {
                i = skip(text, i + 1);
                continue;
            }
            if (c != '{') {
                continue;
            }
            int close = skip(text, i);
            if (close >= text.length()) {
                break;
            }
            List<String> alternatives = alternatives(text.substring(i + 1, close));
            if (alternatives == null) {
                continue;
            }
            open = i;
            String prefix = text.substring(0, open);
            String suffix = text.substring(close + 1);
            for (String a : alternatives) {
                if (!expandInto(prefix + a + suffix, out)) {
                    return false;
                }
            }
            return true;
        }
        if (out.size() >= MAX_WORDS) {
            return false;
        }
        out.add(text);
        return true;
    }

    /** Index of the '}' matching the '{' at {@code open}, or the text's length. */
    private static int skip(String text, int open) {
        int level = 0;
        for (int i = open; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{') {
                level++;
            } else if (c == '}') {
                level--;
                if (level == 0) {
                    return i;
                }
            }
        }
        return text.length();
    }

    /** {@code a,b,c} split at top-level commas, or a {@code x..y[..step]} sequence; null if neither. */
    private static List<String> alternatives(String body) {
        List<String> parts = new ArrayList<>();
        int level = 0;
        int from = 0;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '{') {
                level++;
            } else if (c == '}') {
                level--;
            } else if (c == ',' && level == 0) {
                parts.add(body.substring(from, i));
                from = i + 1;
            }
        }
        if (!parts.isEmpty()) {
            parts.add(body.substring(from));
            return parts;
        }
        return sequence(body);
    }

    private static List<String> sequence(String body) {
        String[] ends = body.split("\\.\\.", -1);
        if (ends.length < 2 || ends.length > 3) {
            return null;
        }
        try {
            long step = ends.length == 3 ? Math.abs(Long.parseLong(ends[2])) : 1;
            step = step == 0 ? 1 : step;
            if (ends[0].length() == 1 && ends[1].length() == 1 && !Character.isDigit(ends[0].charAt(0))
                    && !Character.isDigit(ends[1].charAt(0))) {
                char a = ends[0].charAt(0);
                char b = ends[1].charAt(0);
                List<String> out = new ArrayList<>();
                for (int c = a; a <= b ? c <= b : c >= b; c += a <= b ? step : -step) {
                    out.add(String.valueOf((char) c));
                    if (out.size() > MAX_WORDS) {
                        break;
                    }
                }
                return out;
            }
            long a = Long.parseLong(ends[0]);
            long b = Long.parseLong(ends[1]);
            int width = ends[0].startsWith("0") && ends[0].length() > 1 || ends[1].startsWith("0") && ends[1].length() > 1
                    ? Math.max(ends[0].length(), ends[1].length()) : 0;
            List<String> out = new ArrayList<>();
            for (long n = a; a <= b ? n <= b : n >= b; n += a <= b ? step : -step) {
                out.add(width > 0 ? String.format("%0" + width + "d", n) : Long.toString(n));
                if (out.size() > MAX_WORDS) {
                    break;
                }
            }
            return out;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
