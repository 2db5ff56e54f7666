package dev.agenttrace.rules.scope.paths;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Expands the parts of a shell word that decide which file it names, as the shell would before
 * the program runs: {@code $HOME}/{@code ${HOME}} and {@code $PWD}/{@code ${PWD}} (so
 * {@code cat $HOME/.ssh/id_rsa} is judged as {@code ~/.ssh/id_rsa}), and unquoted globs against the
 * file system (so {@code cat .e*} is judged as {@code cat .env}, the file it would print). A glob
 * that matches nothing stays as written, as in bash. Other variables are left as written: their
 * value is unknown here.
 */
public final class ShellPathExpander {
    private static final int MAX_MATCHES = 256;

    private final PathNormaliser normaliser;

    public ShellPathExpander(PathNormaliser normaliser) {
        this.normaliser = normaliser;
    }

    /**
     * @param word         the word's text after quote removal
     * @param unquotedGlob whether it holds glob characters the shell would expand
     * @return the paths the word stands for (at least one)
     */
    public List<String> expand(String word, boolean unquotedGlob) {
        String text = word;
        if (text.indexOf('$') >= 0) {
            text = text.replace("${HOME}", normaliser.home()).replace("${PWD}", normaliser.root());
            text = replaceVariable(text, "$HOME", normaliser.home());
            text = replaceVariable(text, "$PWD", normaliser.root());
        }
        if (!unquotedGlob || !(text.indexOf('*') >= 0 || text.indexOf('?') >= 0 || text.indexOf('[') >= 0)) {
            return List.of(text);
        }
        List<String> matches = glob(text);
        return matches.isEmpty() ? List.of(text) : matches;
    }

    private static String replaceVariable(String text, String variable, String value) {
        StringBuilder b = new StringBuilder();
        int from = 0;
        int at;
        while ((at = text.indexOf(variable, from)) >= 0) {
            int end = at + variable.length();
            boolean wholeName = end >= text.length() || !(Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_');
            b.append(text, from, at).append(wholeName ? value : variable);
            from = end;
        }
        return b.append(text.substring(from)).toString();
    }

    private List<String> glob(String text) {
        String expanded = text.startsWith("~/") || text.equals("~") ? normaliser.home() + text.substring(1) : text;
        boolean absolute = expanded.startsWith("/");
        String[] segments = expanded.split("/");
        List<String> current = new ArrayList<>();
        current.add(absolute ? "/" : "");
        for (String segment : segments) {
            if (segment.isEmpty()) {
                continue;
            }
            List<String> next = new ArrayList<>();
            boolean wild = segment.indexOf('*') >= 0 || segment.indexOf('?') >= 0 || segment.indexOf('[') >= 0;
            for (String base : current) {
                if (!wild) {
                    next.add(join(base, segment));
                    continue;
                }
                Pattern pattern;
                try {
                    pattern = Pattern.compile(GlobTranslator.toRegex(segment, true));
                } catch (GlobSyntaxException | java.util.regex.PatternSyntaxException e) {
                    return List.of();
                }
                Path dir = Path.of(base.isEmpty() ? normaliser.root() : base.startsWith("/") ? base : normaliser.root() + "/" + base);
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                    for (Path entry : entries) {
                        String name = entry.getFileName().toString();
                        if (name.startsWith(".") && !segment.startsWith(".")) {
                            continue; // bash does not match a leading dot with a wildcard
                        }
                        if (pattern.matcher(name).matches()) {
                            next.add(join(base, name));
                            if (next.size() >= MAX_MATCHES) {
                                break;
                            }
                        }
                    }
                } catch (IOException | SecurityException | java.nio.file.InvalidPathException e) {
                    // not a directory, or unreadable: no matches from here
                }
            }
            current = next;
            if (current.isEmpty()) {
                return List.of();
            }
        }
        return current;
    }

    private static String join(String base, String name) {
        if (base.isEmpty()) {
            return name;
        }
        return base.endsWith("/") ? base + name : base + "/" + name;
    }
}
