package dev.agenttrace.rules.scope.paths;

import java.util.regex.Pattern;

/**
 * One file pattern from {@code files.read|write.allow|deny}, compiled once.
 *
 * <p>Where a pattern is anchored decides what it is matched against:
 * <ul>
 *   <li>no {@code /} ({@code .env}, {@code *.pem}, {@code id_rsa}), or a leading {@code **}/:
 *       <b>floating</b>, matches a file or directory of that name at any depth, as in
 *       {@code .gitignore}. So {@code .env} catches {@code src/.env} and {@code /root/.env}. For a
 *       path outside the root it is matched against the absolute path, so deny {@code *.pem} also
 *       catches {@code /etc/ssl/x.pem}.</li>
 *   <li>a {@code /} inside ({@code src/**}, {@code .github/workflows/*.yml}): <b>root-anchored</b>,
 *       matched against the path relative to the project root; never matches outside the root.</li>
 *   <li>a leading {@code /} ({@code /proc/**}): <b>absolute</b>, matched against the absolute real
 *       path.</li>
 *   <li>a leading {@code ~/} ({@code ~/.ssh/**}): <b>home-anchored</b>, matched against the path
 *       relative to the home directory given to the evaluator.</li>
 * </ul>
 * A pattern that matches a directory also matches everything below it ({@code .git} covers
 * {@code .git/config}, {@code src/**} covers {@code src} itself), and a trailing {@code /} means the
 * same as a trailing {@code /**}. A leading {@code ./} is dropped.
 *
 * <p>Deny patterns are compiled case-insensitively, so {@code .ENV} on a case-insensitive file
 * system (macOS, Windows) cannot slip past {@code .env}; allow patterns are case-sensitive, so case
 * never widens what a policy grants.
 */
public final class PathGlob {
    /** How a pattern is anchored; see the class comment. */
    public enum Anchor { FLOATING, ROOT, ABSOLUTE, HOME }

    private final String text;
    private final Anchor anchor;
    private final Pattern regex;
    private final boolean ignoreCase;
    /** A floating pattern of one name ({@code .env}, {@code *.pem}): a path matches if one of its segments does. */
    private final Pattern segmentRegex;
    /** The same when the name has no wildcard: compared as a string. */
    private final String segmentLiteral;
    /** {@code dir/sub/**} or {@code /proc/**} without wildcards: a prefix comparison. */
    private final String prefixLiteral;

    /** The literal segments before the first wildcard ({@code .ssh} of {@code ~/.ssh/**}), for anchored patterns. */
    private final String fixedStem;

    private PathGlob(String text, Anchor anchor, Pattern regex, boolean ignoreCase, String body) {
        this.text = text;
        StringBuilder fixed = new StringBuilder();
        for (String segment : body.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            if (GlobTranslator.hasWildcard(segment)) {
                break;
            }
            fixed.append("/").append(segment);
        }
        this.fixedStem = fixed.length() == 0 ? "" : fixed.substring(1);
        this.anchor = anchor;
        this.regex = regex;
        this.ignoreCase = ignoreCase;
        // Fast paths that give the same answers as the regex, which is kept as the specification.
        String name = body;
        while (name.startsWith("**/")) {
            name = name.substring(3);
        }
        boolean oneName = anchor == Anchor.FLOATING && !name.isEmpty() && name.indexOf('/') < 0 && !name.contains("**");
        boolean wild = GlobTranslator.hasWildcard(name);
        this.segmentLiteral = oneName && !wild ? name : null;
        this.segmentRegex = oneName && wild
                ? Pattern.compile(GlobTranslator.toRegex(name, true), ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0)
                : null;
        String prefix = null;
        if (anchor != Anchor.FLOATING) {
            String stem = body.endsWith("/**") ? body.substring(0, body.length() - 3) : body;
            if (!stem.isEmpty() && !GlobTranslator.hasWildcard(stem) && !stem.endsWith("/")) {
                prefix = stem;
            }
        }
        this.prefixLiteral = prefix;
    }

    /**
     * @param text            the pattern as written in the policy
     * @param caseInsensitive true for deny lists
     * @throws GlobSyntaxException if the pattern is not a valid glob
     */
    public static PathGlob compile(String text, boolean caseInsensitive) {
        if (text.isBlank()) {
            throw new GlobSyntaxException(text, 0, "the pattern is empty", "remove the empty string");
        }
        String body = text;
        int bodyOffset = 0;
        Anchor anchor;
        if (body.startsWith("~/") || body.equals("~")) {
            anchor = Anchor.HOME;
            body = body.length() <= 2 ? "**" : body.substring(2);
            bodyOffset = 2;
        } else if (body.startsWith("/")) {
            anchor = Anchor.ABSOLUTE;
        } else {
            while (body.startsWith("./")) {
                body = body.substring(2);
                bodyOffset += 2;
            }
            String trimmed = stripTrailingSlashes(body);
            boolean floating = trimmed.indexOf('/') < 0 || trimmed.startsWith("**/");
            anchor = floating ? Anchor.FLOATING : Anchor.ROOT;
        }
        if (body.length() > 1 && body.endsWith("/")) {
            body = stripTrailingSlashes(body) + "/**";
        }
        if (body.isEmpty()) {
            throw new GlobSyntaxException(text, 0, "the pattern names no file",
                    "write \"**\" for every file under the root, or remove the pattern");
        }
        String source;
        try {
            source = GlobTranslator.toRegex(body, true);
        } catch (GlobSyntaxException e) {
            // Report offsets against the pattern as the user wrote it.
            throw new GlobSyntaxException(text, Math.min(text.length() - 1, e.offset() + bodyOffset), e.problem(), e.fix());
        }
        String prefix = anchor == Anchor.FLOATING && !body.startsWith("**/") ? "(?:.*/)?" : "";
        String suffix = source.endsWith("(?:/.*)?") || source.endsWith(".*") ? "" : "(?:/.*)?";
        int flags = caseInsensitive ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0;
        return new PathGlob(text, anchor, Pattern.compile(prefix + source + suffix, flags | Pattern.DOTALL), caseInsensitive, body);
    }

    private static String stripTrailingSlashes(String s) {
        int end = s.length();
        while (end > 1 && s.charAt(end - 1) == '/') {
            end--;
        }
        return s.substring(0, end);
    }

    /** The pattern as the user wrote it. */
    public String text() {
        return text;
    }

    public Anchor anchor() {
        return anchor;
    }

    /**
     * Whether the pattern covers the path.
     *
     * @param path       a valid normalised path
     * @param normaliser the normaliser that produced it (for the home directory)
     * @param allowRule  true when judging an allow list: then floating and root-anchored patterns
     *                   never match a path that escapes the root
     */
    public boolean matches(NormalisedPath path, PathNormaliser normaliser, boolean allowRule) {
        switch (anchor) {
            case FLOATING -> {
                if (path.insideRoot()) {
                    return test(path.relative(), 0);
                }
                return !allowRule && test(path.absolute(), 1);
            }
            case ROOT -> {
                return path.insideRoot() && test(path.relative(), 0);
            }
            case ABSOLUTE -> {
                return test(path.absolute(), 0);
            }
            case HOME -> {
                String underHome = normaliser.relativeToHome(path.absolute());
                return underHome != null && test(underHome, 0);
            }
            default -> throw new IllegalStateException(anchor.toString());
        }
    }

    /**
     * The absolute directory every path this pattern matches lies under ({@code HOME/.ssh} for
     * {@code ~/.ssh/**}), or null for a floating pattern, which may match anywhere. A command that
     * reads or writes a whole tree is judged against it without walking the tree.
     */
    public String fixedPrefix(PathNormaliser normaliser) {
        return switch (anchor) {
            case FLOATING -> null;
            case ROOT -> fixedStem.isEmpty() ? normaliser.root() : normaliser.root() + "/" + fixedStem;
            case HOME -> fixedStem.isEmpty() ? normaliser.home() : normaliser.home() + "/" + fixedStem;
            case ABSOLUTE -> fixedStem.isEmpty() ? "/" : fixedStem.startsWith("/") ? fixedStem : "/" + fixedStem;
        };
    }

    /** Whether the pattern matches {@code s} from {@code from} on. */
    private boolean test(String s, int from) {
        if (segmentLiteral != null || segmentRegex != null) {
            java.util.regex.Matcher m = segmentRegex == null ? null : segmentRegex.matcher(s);
            int start = from;
            while (start <= s.length()) {
                int end = s.indexOf('/', start);
                if (end < 0) {
                    end = s.length();
                }
                boolean hit = m != null
                        ? m.region(start, end).matches()
                        : end - start == segmentLiteral.length() && s.regionMatches(ignoreCase, start, segmentLiteral, 0, segmentLiteral.length());
                if (hit) {
                    return true;
                }
                start = end + 1;
            }
            return false;
        }
        if (prefixLiteral != null) {
            int n = prefixLiteral.length();
            return s.length() - from >= n && s.regionMatches(ignoreCase, from, prefixLiteral, 0, n)
                    && (s.length() - from == n || s.charAt(from + n) == '/');
        }
        return regex.matcher(from == 0 ? s : s.substring(from)).matches();
    }

    @Override
    public String toString() {
        return text;
    }
}
