package dev.agenttrace.store.redact.legacy;

/**
 * Finds values of secret-named keys in free text, on every line: {@code DB_PASS=x},
 * {@code export AWS_SECRET_ACCESS_KEY="x"}, {@code password: x}, {@code "api_key": "x"},
 * {@code \"token\": \"x\"} (JSON inside a JSON string), {@code ?api_key=x&}, {@code --api-key x},
 * {@code --password=x}, {@code Authorization: Token x}, {@code Cookie: a=b; c=d}.
 *
 * <p>Hand-written rather than one regex: it visits each word of the text once and looks around
 * only the words that {@link LegacySecretNames} calls secret, so the cost is one pass whatever the text.
 */
final class LegacyNamedValues {
    private static final int MAX_VALUE = 4096;

    private LegacyNamedValues() {
    }

    static void find(String s, LegacyRedactor.Spans spans) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            if (!isNameChar(s.charAt(i))) {
                i++;
                continue;
            }
            int runStart = i;
            while (i < n && isNameChar(s.charAt(i))) {
                i++;
            }
            int next = judge(s, runStart, i, spans);
            if (next > i) {
                i = next;
            }
        }
    }

    private static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.';
    }

    /** Judges the word {@code s[from, to)}; returns where scanning goes on (past a value found). */
    private static int judge(String s, int from, int to, LegacyRedactor.Spans spans) {
        int dashes = 0;
        while (from + dashes < to && s.charAt(from + dashes) == '-') {
            dashes++;
        }
        int nameEnd = to;
        while (nameEnd > from + dashes && (s.charAt(nameEnd - 1) == '.' || s.charAt(nameEnd - 1) == '-')) {
            nameEnd--;
        }
        int nameStart = from + dashes;
        if (nameEnd - nameStart < 3 || nameEnd - nameStart > 64) {
            return to;
        }
        if (dashes > 0 && from > 0 && isNameChar(s.charAt(from - 1))) {
            return to;
        }
        String name = s.substring(nameStart, nameEnd);
        if (!LegacySecretNames.mayContainSecretName(name) || !LegacySecretNames.isSecretName(name)) {
            return to;
        }
        int n = s.length();
        int j = nameEnd;
        if (j != to) {
            return to; // "password." at the end of a sentence
        }
        // a closing quote of a quoted key: "password": / 'password' = / \"password\":
        char before = from > 0 ? s.charAt(from - 1) : 0;
        if ((before == '"' || before == '\'') && j < n && s.charAt(j) == before) {
            j++;
        } else if (before == '"' && j + 1 < n && s.charAt(j) == '\\' && s.charAt(j + 1) == '"') {
            j += 2;
        }
        int afterName = j;
        j = skipBlanks(s, j);
        boolean spaced = j > afterName;
        char sep = j < n ? s.charAt(j) : 0;
        boolean header = false;
        if (sep == '=' || sep == ':') {
            if (sep == ':' && s.startsWith("//", j + 1)) {
                return to; // a URL scheme
            }
            j++;
            if (j < n && (s.charAt(j) == '>' || sep == ':' && s.charAt(j) == '=')) {
                j++;
            }
            header = sep == ':' && isHeaderName(name);
        } else if (dashes == 0 || !spaced || sep == '\n' || sep == '\r' || sep == 0) {
            return to;
        }
        j = skipBlanks(s, j);
        if (j >= n) {
            return to;
        }
        int vs;
        int ve;
        char c = s.charAt(j);
        if (c == '"' || c == '\'') {
            vs = j + 1;
            ve = closing(s, vs, c);
            if (ve < 0) {
                return to;
            }
        } else if (c == '\\' && j + 1 < n && s.charAt(j + 1) == '"') {
            vs = j + 2;
            ve = s.indexOf("\\\"", vs);
            if (ve < 0 || ve - vs > MAX_VALUE) {
                return to;
            }
        } else if (header) {
            vs = j;
            int scheme = schemeEnd(s, j);
            if (scheme > j) {
                vs = scheme;
            }
            ve = vs;
            while (ve < n && s.charAt(ve) != '\n' && s.charAt(ve) != '\r' && s.charAt(ve) != '"' && s.charAt(ve) != '\'' && ve - vs < MAX_VALUE) {
                ve++;
            }
            while (ve > vs && s.charAt(ve - 1) == ' ') {
                ve--;
            }
        } else {
            if (c == '{' || c == '[' || c == '-' && dashes > 0) {
                return to;
            }
            vs = j;
            ve = j;
            while (ve < n && !endsBareValue(s.charAt(ve)) && ve - vs < MAX_VALUE) {
                ve++;
            }
            if (ve - vs < 3 || isLiteral(s, vs, ve)) {
                return to;
            }
        }
        if (ve <= vs || s.startsWith("[REDACTED", vs)) {
            return Math.max(to, ve);
        }
        spans.add(vs, ve, LegacyRedactor.kindOfName(name));
        return ve;
    }

    private static int skipBlanks(String s, int j) {
        while (j < s.length() && (s.charAt(j) == ' ' || s.charAt(j) == '\t')) {
            j++;
        }
        return j;
    }

    private static int closing(String s, int from, char quote) {
        for (int k = from; k < s.length() && k - from <= MAX_VALUE; k++) {
            char ch = s.charAt(k);
            if (ch == quote) {
                return k;
            }
            if (ch == '\n') {
                return -1;
            }
        }
        return -1;
    }

    private static boolean endsBareValue(char c) {
        return c <= ' ' || c == '"' || c == '\'' || c == ',' || c == ';' || c == '&' || c == '<' || c == '>'
                || c == ')' || c == '}' || c == ']' || c == '`';
    }

    private static boolean isLiteral(String s, int from, int to) {
        String v = s.substring(from, to);
        return v.equalsIgnoreCase("null") || v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")
                || v.equalsIgnoreCase("none") || v.equalsIgnoreCase("undefined");
    }

    /** Header-like names whose value runs to the end of the line. */
    private static boolean isHeaderName(String name) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        return lower.endsWith("authorization") || lower.endsWith("cookie");
    }

    /** After {@code Bearer }, {@code Basic }, {@code Token }, ...: where the credential starts. */
    private static int schemeEnd(String s, int j) {
        for (String scheme : new String[] {"bearer", "basic", "token", "digest", "negotiate", "apikey", "ntlm"}) {
            int e = j + scheme.length();
            if (e < s.length() && s.regionMatches(true, j, scheme, 0, scheme.length()) && s.charAt(e) == ' ') {
                return skipBlanks(s, e);
            }
        }
        return j;
    }
}
