package dev.agenttrace.rules.scope.paths;

/**
 * Turns the glob dialect of {@code .agent-scope.json} into a {@link java.util.regex.Pattern}
 * source, once, when the policy loads, so judging a call is only regex matching.
 *
 * <p>The dialect: {@code *} any run of characters, {@code ?} one character, {@code [abc]},
 * {@code [a-z]} and {@code [!abc]} (or {@code [^abc]}) a character class, {@code {a,b}}
 * alternatives (nestable), {@code \x} the character x literally. In path mode {@code *}, {@code ?}
 * and classes never match {@code /}, and {@code **} is only legal as a whole segment, where it
 * spans directories; {@code src/**.py} is rejected with a fix rather than silently meaning
 * something the user did not intend.
 */
public final class GlobTranslator {
    private final String glob;
    private final boolean pathAware;
    private final StringBuilder out = new StringBuilder();
    private int pos;
    private int braceDepth;

    private GlobTranslator(String glob, boolean pathAware) {
        this.glob = glob;
        this.pathAware = pathAware;
    }

    /**
     * @param glob      the glob as written in the policy
     * @param pathAware true for file paths ({@code /} is a separator, {@code **} spans it); false
     *                  for command words, where {@code *} matches anything
     * @return a regex source that matches the whole input (callers use {@code matches()})
     * @throws GlobSyntaxException if the glob is empty, has an unclosed {@code [} or {@code {}, a
     *                             stray {@code }}, a trailing backslash, a NUL byte, or a
     *                             {@code **} that is not a whole path segment
     */
    public static String toRegex(String glob, boolean pathAware) {
        if (glob.isEmpty()) {
            throw new GlobSyntaxException(glob, 0, "the pattern is empty", "remove the empty string");
        }
        GlobTranslator t = new GlobTranslator(glob, pathAware);
        t.translate();
        return t.out.toString();
    }

    /** True if the text has a character this dialect treats specially. */
    public static boolean hasWildcard(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '{' || c == '\\') {
                return true;
            }
        }
        return false;
    }

    private void translate() {
        while (pos < glob.length()) {
            char c = glob.charAt(pos);
            switch (c) {
                case '*' -> star();
                case '?' -> {
                    out.append(pathAware ? "[^/]" : ".");
                    pos++;
                }
                case '[' -> characterClass();
                case '{' -> {
                    braceDepth++;
                    out.append("(?:");
                    pos++;
                }
                case '}' -> {
                    if (braceDepth == 0) {
                        throw new GlobSyntaxException(glob, pos, "'}' without a matching '{'",
                                "remove it, or write \\} for a literal brace");
                    }
                    braceDepth--;
                    out.append(')');
                    pos++;
                }
                case ',' -> {
                    out.append(braceDepth > 0 ? "|" : ",");
                    pos++;
                }
                case '\\' -> {
                    if (pos + 1 >= glob.length()) {
                        throw new GlobSyntaxException(glob, pos, "the pattern ends with a backslash",
                                "remove it; paths use '/' as the separator in policies");
                    }
                    literal(glob.charAt(pos + 1));
                    pos += 2;
                }
                case '\0' -> throw new GlobSyntaxException(glob, pos, "the pattern holds a NUL byte",
                        "remove the NUL (\\u0000) character");
                default -> {
                    literal(c);
                    pos++;
                }
            }
        }
        if (braceDepth > 0) {
            throw new GlobSyntaxException(glob, glob.lastIndexOf('{'), "'{' is never closed",
                    "close the alternatives with '}', e.g. {a,b}");
        }
    }

    private void star() {
        boolean doubleStar = pos + 1 < glob.length() && glob.charAt(pos + 1) == '*';
        if (!pathAware) {
            out.append(".*");
            pos += doubleStar ? 2 : 1;
            return;
        }
        if (!doubleStar) {
            out.append("[^/]*");
            pos++;
            return;
        }
        int start = pos;
        int end = pos + 2;
        while (end < glob.length() && glob.charAt(end) == '*') {
            end++;
        }
        boolean segmentStart = start == 0 || glob.charAt(start - 1) == '/';
        boolean segmentEnd = end == glob.length() || glob.charAt(end) == '/';
        if (!segmentStart || !segmentEnd || braceDepth > 0) {
            String before = glob.substring(0, start);
            String after = glob.substring(end);
            String suggestion = before + (segmentStart ? "" : "/") + "**/*" + after;
            throw new GlobSyntaxException(glob, start,
                    "'**' must be a whole path segment (it spans directories only as /**/)",
                    "write \"" + suggestion.replace("//", "/") + "\" for any depth, or '*' within one directory");
        }
        if (end == glob.length()) {
            if (start == 0) {
                out.append(".*");
            } else {
                // "dir/**": the directory itself and everything below it. The '/' already emitted
                // is taken back so that "dir" alone matches too.
                out.setLength(out.length() - 1);
                out.append("(?:/.*)?");
            }
            pos = end;
        } else {
            // "**/" at the start or in the middle: zero or more whole directories.
            out.append("(?:.*/)?");
            pos = end + 1;
        }
    }

    private void characterClass() {
        // A ']' right after '[' (or after '[!') is a member, not the end, as in POSIX globs.
        int first = pos + 1;
        if (first < glob.length() && (glob.charAt(first) == '!' || glob.charAt(first) == '^')) {
            first++;
        }
        int close = glob.indexOf(']', first + 1);
        if (close < 0) {
            throw new GlobSyntaxException(glob, pos, "'[' is never closed",
                    "close the character class with ']', or write \\[ for a literal bracket");
        }
        String body = glob.substring(pos + 1, close);
        StringBuilder cls = new StringBuilder("[");
        int i = 0;
        if (!body.isEmpty() && (body.charAt(0) == '!' || body.charAt(0) == '^')) {
            cls.append('^');
            i = 1;
        }
        if (i == body.length()) {
            throw new GlobSyntaxException(glob, pos, "the character class is empty",
                    "put at least one character between the brackets");
        }
        for (; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '-' && i > 0 && i < body.length() - 1) {
                cls.append('-');
            } else if (c >= 128 || Character.isLetterOrDigit(c)) {
                cls.append(c);
            } else {
                cls.append('\\').append(c);
            }
        }
        cls.append(']');
        // In path mode a class never matches the separator, even a negated one.
        out.append(pathAware ? "(?:(?!/)" + cls + ")" : cls);
        pos = close + 1;
    }

    private void literal(char c) {
        if (c >= 128 || Character.isLetterOrDigit(c) || c == '/' || c == '_' || c == ' ') {
            out.append(c);
        } else {
            out.append('\\').append(c);
        }
    }
}
