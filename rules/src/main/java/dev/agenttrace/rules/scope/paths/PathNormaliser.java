package dev.agenttrace.rules.scope.paths;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns whatever string a tool call carries into the path the operating system would open, so a
 * rule written as {@code .env} cannot be dodged with {@code /abs/root/.env}, {@code src/../.env},
 * {@code file:///abs/root/%2Eenv}, {@code ..\.env} or a symlink that points at it.
 *
 * <p>Steps, in order: reject NUL bytes (the kernel would truncate there); decode {@code file:}
 * URLs (percent-encoding included); treat {@code \} as a separator (Windows-style traversal must
 * not slip past rules written with {@code /}); expand {@code ~}, {@code ~/} and {@code ~user};
 * resolve relative paths against the project root; resolve {@code .} and {@code ..} the way the
 * kernel does, i.e. after following the symlinks met so far ({@code link/..} is the parent of the
 * link's target); and resolve symlinks for the longest prefix that exists, including a dangling
 * last link, since writing through it creates its target.
 *
 * <p>Immutable and thread-safe; the only state is the root and the home directory. An instance
 * made by {@link #forOneCall()} also remembers what it resolved, for the judgement of one call:
 * that one is single-threaded and short-lived.
 */
public final class PathNormaliser {
    private static final int MAX_LINK_HOPS = 40;

    private final String root;
    private final String home;
    /** The server's own home directory when it is not {@code home}, else null: {@code ~} is read both ways. */
    private final String serverHome;

    /** For {@link #forOneCall()}: the readings of each input and the real path of each clean path, else null. */
    private final boolean memo;
    private Map<String, List<NormalisedPath>> readingsMemo;
    private Map<String, String> realMemo;

    private PathNormaliser(String root, String home, String serverHome) {
        this(root, home, serverHome, false);
    }

    private PathNormaliser(String root, String home, String serverHome, boolean memo) {
        this.root = root;
        this.home = home;
        this.serverHome = serverHome;
        this.memo = memo;
    }

    /**
     * The same normaliser for the judgement of one call: it asks the file system once per path
     * (a call judges a written path for protection, then for the rules, often under several
     * readings that end in the same file). Not thread-safe; drop it when the call is judged, so a
     * later call sees the file system as it is then (a link made in between).
     */
    public PathNormaliser forOneCall() {
        return new PathNormaliser(root, home, serverHome, true);
    }

    /**
     * A path the caller knows to be real and clean (found by listing a real directory, not a
     * symlink, without {@code .} or {@code ..} segments): normalised without asking the file system.
     * Only for inputs {@link #hasOneReading} accepts, whose readings are this one path.
     */
    public NormalisedPath ofKnownRealPath(String absolute) {
        return new NormalisedPath(absolute, absolute, relativeToRoot(absolute), null);
    }

    /**
     * Whether {@link #readings} of the input is its physical reading alone: no {@code ..}, no
     * {@code \}, no non-ASCII character, and no {@code ~} read under a second home.
     */
    public boolean hasOneReading(String input) {
        return input.indexOf("..") < 0 && input.indexOf('\\') < 0 && (serverHome == null || !input.startsWith("~"))
                && isAscii(input);
    }

    /** For a root and homes that are already absolute real paths; {@code serverHome} may be null. */
    public static PathNormaliser ofRealPaths(Path root, Path home, Path serverHome) {
        return new PathNormaliser(root.toString(), home.toString(), serverHome == null ? null : serverHome.toString());
    }

    /** The server's home directory when it differs from {@link #home()}, else null. */
    public String serverHome() {
        return serverHome;
    }

    /**
     * @param root the project root; resolved to its real path here, once
     * @param home the user's home directory, for {@code ~}
     */
    public static PathNormaliser resolving(Path root, Path home) {
        return new PathNormaliser(realOrLexical(root), realOrLexical(home), null);
    }

    /** For a root and home that are already absolute real paths (no file system access). */
    public static PathNormaliser ofRealPaths(Path root, Path home) {
        return new PathNormaliser(root.toString(), home.toString(), null);
    }

    public String root() {
        return root;
    }

    public String home() {
        return home;
    }

    /**
     * The path as the kernel resolves it: each {@code ..} taken after the symlinks before it.
     * See {@link #readings} for the other way servers resolve it.
     */
    public NormalisedPath normalise(String input) {
        return normalise(input, false);
    }

    /**
     * Every way the path may be resolved: the kernel's (physical) reading and, when the input
     * holds {@code ..} and it differs, the lexical reading that Node's {@code path.resolve} and
     * most MCP servers apply before opening the file ({@code src/link/../.env} is
     * {@code src/.env} to them, whatever {@code link} points at). A path passes only if every
     * reading passes.
     */
    public List<NormalisedPath> readings(String input) {
        if (!memo) {
            return readingsOf(input);
        }
        if (readingsMemo == null) {
            readingsMemo = new HashMap<>();
        }
        List<NormalisedPath> known = readingsMemo.get(input);
        if (known == null) {
            known = readingsOf(input);
            readingsMemo.put(input, known);
        }
        return known;
    }

    private List<NormalisedPath> readingsOf(String input) {
        NormalisedPath physical = normalise(input, false);
        if (!physical.isValid() || hasOneReading(input)) {
            return List.of(physical);
        }
        List<NormalisedPath> out = new ArrayList<>();
        out.add(physical);
        List<String> spellings = new ArrayList<>(List.of(input));
        // Unicode: a server may open the NFC or the NFD spelling (macOS file names are NFD; Node's
        // fs and server-filesystem fall back to the equivalent name)
        if (!isAscii(input)) {
            for (Normalizer.Form form : new Normalizer.Form[] {Normalizer.Form.NFC, Normalizer.Form.NFD, Normalizer.Form.NFKC}) {
                String other = Normalizer.normalize(input, form);
                if (!spellings.contains(other)) {
                    spellings.add(other);
                }
            }
        }
        for (String spelling : spellings) {
            add(out, normalise(spelling, false, false, home));
            if (spelling.indexOf("..") >= 0) {
                add(out, normalise(spelling, true, false, home));
            }
            if (spelling.indexOf('\\') >= 0) {
                // a POSIX server takes '\\' as a character of the name: src\\evil.sh is a file in the root
                add(out, normalise(spelling, false, true, home));
                if (spelling.indexOf("..") >= 0) {
                    add(out, normalise(spelling, true, true, home));
                }
            }
            if (serverHome != null && spelling.startsWith("~")) {
                add(out, normalise(spelling, false, false, serverHome));
                add(out, normalise(spelling, true, false, serverHome));
            }
        }
        return List.copyOf(out);
    }

    private static void add(List<NormalisedPath> out, NormalisedPath p) {
        for (NormalisedPath q : out) {
            if (!p.isValid() || q.isValid() && q.absolute().equals(p.absolute())) {
                return;
            }
        }
        out.add(p);
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private NormalisedPath normalise(String input, boolean lexicalDotDot) {
        return normalise(input, lexicalDotDot, false, home);
    }

    /**
     * The path as written: {@code ~} expanded, {@code \\} a separator, {@code .} and {@code ..}
     * applied to the text, and no link followed, so without asking the file system. It is one
     * more reading of the input (the name the call gives), so a caller may refuse on it before
     * working out the others: a path passes only if every reading does.
     */
    public NormalisedPath asWritten(String input) {
        return normalise(input, true, false, home, false);
    }

    private NormalisedPath normalise(String input, boolean lexicalDotDot, boolean backslashIsChar, String homeDir) {
        return normalise(input, lexicalDotDot, backslashIsChar, homeDir, true);
    }

    private NormalisedPath normalise(String input, boolean lexicalDotDot, boolean backslashIsChar, String homeDir, boolean physical) {
        if (input.indexOf('\0') >= 0) {
            return NormalisedPath.invalid(input, "the path holds a NUL byte, which truncates it at the system call");
        }
        String text = input;
        if (text.regionMatches(true, 0, "file:", 0, 5)) {
            text = fileUrlPath(text);
            if (text.indexOf('\0') >= 0) {
                return NormalisedPath.invalid(input, "the file: URL decodes to a NUL byte, which truncates the path");
            }
        }
        if (!backslashIsChar) {
            text = text.replace('\\', '/');
        }
        text = expandTilde(text, homeDir);
        String absolute = text.startsWith("/") ? text : root + "/" + text;
        String resolved;
        if (!physical) {
            resolved = absolute.indexOf("..") < 0 ? lexical(absolute) : lexicalWithDotDot(absolute);
        } else {
            resolved = lexicalDotDot ? realise(lexicalWithDotDot(absolute), 0) : resolve(absolute, 0);
        }
        return new NormalisedPath(input, resolved, relativeToRoot(resolved), null);
    }

    /** The path below the root ({@code ""} for the root itself), or null if outside it. */
    public String relativeToRoot(String absolute) {
        return relativeTo(root, absolute);
    }

    /** The path below home ({@code ""} for home itself), or null if outside it. */
    public String relativeToHome(String absolute) {
        return relativeTo(home, absolute);
    }

    private static String relativeTo(String base, String absolute) {
        if (absolute.equals(base)) {
            return "";
        }
        if (base.equals("/")) {
            return absolute.substring(1);
        }
        if (absolute.startsWith(base) && absolute.length() > base.length() && absolute.charAt(base.length()) == '/') {
            return absolute.substring(base.length() + 1);
        }
        return null;
    }

    private String expandTilde(String text, String home) {
        if (!text.startsWith("~")) {
            return text;
        }
        int slash = text.indexOf('/');
        String user = slash < 0 ? text.substring(1) : text.substring(1, slash);
        String rest = slash < 0 ? "" : text.substring(slash);
        if (user.isEmpty()) {
            return home + rest;
        }
        // ~other: we cannot look the user up portably; their home is a sibling of ours on every
        // common layout (/home/x, /Users/x), and in any case it is outside the project root.
        int cut = home.lastIndexOf('/');
        String parent = cut <= 0 ? "" : home.substring(0, cut);
        return parent + "/" + user + rest;
    }

    /** file:///p, file://localhost/p, file:/p and file:p, percent-decoded; query and fragment dropped. */
    private static String fileUrlPath(String url) {
        String rest = url.substring(5);
        if (rest.startsWith("//")) {
            int slash = rest.indexOf('/', 2);
            rest = slash < 0 ? "/" : rest.substring(slash);
        }
        int cut = indexOfAny(rest, '?', '#');
        if (cut >= 0) {
            rest = rest.substring(0, cut);
        }
        return percentDecode(rest);
    }

    private static int indexOfAny(String s, char a, char b) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == a || c == b) {
                return i;
            }
        }
        return -1;
    }

    /** Decodes %XX as UTF-8 bytes; a malformed escape stays as written, as curl and browsers do. */
    public static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        byte[] bytes = new byte[s.length() * 3];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
                bytes[n++] = (byte) (hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
                i += 2;
            } else {
                byte[] enc = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                    enc = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                System.arraycopy(enc, 0, bytes, n, enc.length);
                n += enc.length;
            }
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /**
     * Resolves an absolute path physically. Segments are consumed left to right; at each
     * {@code ..} the path so far is first made real, so the parent taken is that of a symlink's
     * target, exactly as the kernel walks it.
     */
    private String resolve(String absolute, int hops) {
        if (absolute.indexOf("..") < 0) {
            return realise(lexical(absolute), hops);
        }
        String current = "/";
        for (String segment : absolute.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                current = parent(realise(current, hops));
            } else {
                current = current.equals("/") ? "/" + segment : current + "/" + segment;
            }
        }
        return realise(current, hops);
    }

    private static String parent(String path) {
        int cut = path.lastIndexOf('/');
        return cut <= 0 ? "/" : path.substring(0, cut);
    }

    /** Removes empty and "." segments and applies ".." to the text, as path.resolve does. */
    private static String lexicalWithDotDot(String absolute) {
        Deque<String> segments = new ArrayDeque<>();
        for (String segment : absolute.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                segments.pollLast();
            } else {
                segments.addLast(segment);
            }
        }
        return segments.isEmpty() ? "/" : "/" + String.join("/", segments);
    }

    /**
     * No empty segment, no "." segment and no "/" at the end (but "/" itself). A name that starts
     * with a dot ({@code .env}, {@code .ssh}) is clean: most paths judged have one.
     */
    private static boolean isClean(String absolute) {
        int n = absolute.length();
        if (n > 1 && absolute.charAt(n - 1) == '/') {
            return false;
        }
        for (int i = absolute.indexOf('/'); i >= 0 && i + 1 < n; i = absolute.indexOf('/', i + 1)) {
            char c = absolute.charAt(i + 1);
            if (c == '/' || c == '.' && (i + 2 == n || absolute.charAt(i + 2) == '/')) {
                return false;
            }
        }
        return true;
    }

    /** Removes empty and "." segments; the input holds no "..". */
    private static String lexical(String absolute) {
        if (isClean(absolute)) {
            return absolute;
        }
        StringBuilder b = new StringBuilder();
        for (String segment : absolute.split("/")) {
            if (!segment.isEmpty() && !segment.equals(".")) {
                b.append('/').append(segment);
            }
        }
        return b.length() == 0 ? "/" : b.toString();
    }

    /**
     * The real path of a lexically clean absolute path: the real path of its longest existing
     * prefix followed by the rest. A dangling symlink at the edge is followed (its target is where
     * a write would land).
     *
     * <p>{@link File#getCanonicalPath()} is realpath(3) on the longest existing prefix without the
     * exception {@code Path.toRealPath} throws for every file not yet written, which costs more
     * than the whole rest of a judgement.
     */
    private String realise(String clean, int hops) {
        if (!memo || hops > 0) {
            return realiseNow(clean, hops);
        }
        if (realMemo == null) {
            realMemo = new HashMap<>();
        }
        String known = realMemo.get(clean);
        if (known == null) {
            known = realiseNow(clean, hops);
            realMemo.put(clean, known);
        }
        return known;
    }

    private String realiseNow(String clean, int hops) {
        if (hops == 0) {
            // The common case, a path that exists: one realpath(3), no stat after it.
            try {
                return Path.of(clean).toRealPath().toString();
            } catch (java.nio.file.NoSuchFileException e) {
                // The usual missing path, a new file in a directory that exists: the directory's
                // real path and the last name, which does not exist or is a link that dangles.
                String parent = parent(clean);
                if (!parent.equals("/")) {
                    String realParent = null;
                    try {
                        realParent = Path.of(parent).toRealPath().toString();
                    } catch (IOException | SecurityException | InvalidPathException e2) {
                        // the directory is missing too: the walk below
                    }
                    if (realParent != null) {
                        String canonical = (realParent.equals("/") ? "" : realParent) + clean.substring(parent.length());
                        return followDangling(canonical, canonical, realParent, hops);
                    }
                }
            } catch (IOException | SecurityException | InvalidPathException e) {
                // unreadable, a loop: below, the longest existing prefix and a dangling link
            }
        }
        String canonical;
        try {
            canonical = new File(clean).getCanonicalPath();
        } catch (IOException | SecurityException e) {
            return clean;
        }
        if (new File(canonical).exists()) {
            return canonical;
        }
        // Find the first component that does not exist; if it is a symlink, it dangles.
        String missing = canonical;
        String parent = parent(missing);
        while (!parent.equals("/") && !new File(parent).exists()) {
            missing = parent;
            parent = parent(parent);
        }
        return followDangling(canonical, missing, parent, hops);
    }

    /** {@code missing} is the first component of {@code canonical} that does not exist; if it is a link, where it points. */
    private String followDangling(String canonical, String missing, String parent, int hops) {
        Path link = Path.of(missing);
        if (hops >= MAX_LINK_HOPS || !Files.isSymbolicLink(link)) {
            return canonical;
        }
        try {
            Path target = Files.readSymbolicLink(link);
            String targetAbsolute = target.isAbsolute() ? target.toString() : parent + "/" + target;
            String rest = canonical.substring(missing.length());
            return resolve(targetAbsolute.replace('\\', '/') + rest, hops + 1);
        } catch (IOException | UnsupportedOperationException | SecurityException | InvalidPathException e) {
            return canonical;
        }
    }

    private static String realOrLexical(Path p) {
        Path absolute = p.toAbsolutePath().normalize();
        try {
            return absolute.toRealPath().toString();
        } catch (IOException | SecurityException e) {
            return absolute.toString();
        }
    }
}
