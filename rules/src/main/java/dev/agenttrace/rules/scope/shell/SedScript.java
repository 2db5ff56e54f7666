package dev.agenttrace.rules.scope.shell;

import java.util.List;

/**
 * Reads a sed script far enough to find what it does outside the text it edits: the {@code e}
 * command and the {@code e} flag of {@code s} run shell commands, {@code w FILE}, {@code W FILE}
 * and the {@code w FILE} flag write a file, {@code r FILE} and {@code R FILE} read one.
 * Addresses, {@code s} and {@code y} bodies (any delimiter, escapes) and the text of
 * {@code a}/{@code i}/{@code c} are skipped, so {@code s/e/E/} is not mistaken for an {@code e}.
 */
final class SedScript {
    private final String s;
    private int pos;

    private SedScript(String s) {
        this.s = s;
    }

    static void scan(String script, List<FileOperand> files, List<String> cannot) {
        new SedScript(script).run(files, cannot);
    }

    private void run(List<FileOperand> files, List<String> cannot) {
        while (pos < s.length()) {
            skipBlanksAndSeparators();
            if (pos >= s.length()) {
                return;
            }
            skipAddress();
            skipBlanks();
            if (pos < s.length() && s.charAt(pos) == '!') {
                pos++;
                skipBlanks();
            }
            if (pos >= s.length()) {
                return;
            }
            char c = s.charAt(pos++);
            switch (c) {
                case '{', '}', ';' -> {
                }
                case '#', ':', 'b', 't', 'T' -> toEndOfLineOrSemicolon(c == '#');
                case 'a', 'i', 'c' -> toEndOfLine();
                case 'e' -> {
                    cannot.add("the sed script runs a shell command (e)");
                    toEndOfLine();
                }
                case 'w', 'W' -> files.add(fileArgument(true, "sed " + c));
                case 'r', 'R' -> files.add(fileArgument(false, "sed " + c));
                case 's' -> substitute(files, cannot);
                case 'y' -> {
                    char d = pos < s.length() ? s.charAt(pos++) : '/';
                    skipDelimited(d);
                    skipDelimited(d);
                }
                case 'q', 'Q', 'l', 'L' -> {
                    while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                        pos++;
                    }
                }
                default -> {
                }
            }
        }
    }

    private void substitute(List<FileOperand> files, List<String> cannot) {
        if (pos >= s.length()) {
            return;
        }
        char d = s.charAt(pos++);
        skipDelimited(d);
        skipDelimited(d);
        while (pos < s.length()) {
            char f = s.charAt(pos);
            if (f == 'e') {
                cannot.add("the sed script runs its substitution as a shell command (s///e)");
                pos++;
            } else if (f == 'w' || f == 'W') {
                pos++;
                files.add(fileArgument(true, "sed s///w"));
                return;
            } else if (Character.isLetterOrDigit(f)) {
                pos++;
            } else {
                return;
            }
        }
    }

    private FileOperand fileArgument(boolean write, String how) {
        skipBlanks();
        int start = pos;
        toEndOfLine();
        String file = s.substring(start, pos).trim();
        return new FileOperand(ShellWord.literal(file), file, write, how);
    }

    private void skipDelimited(char d) {
        while (pos < s.length()) {
            char c = s.charAt(pos++);
            if (c == '\\' && pos < s.length()) {
                pos++;
            } else if (c == d) {
                return;
            }
        }
    }

    private void skipAddress() {
        for (int part = 0; part < 2; part++) {
            if (pos >= s.length()) {
                return;
            }
            char c = s.charAt(pos);
            if (Character.isDigit(c) || c == '$' || c == '+' || c == '~') {
                pos++;
                while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '~')) {
                    pos++;
                }
            } else if (c == '/' || c == '\\') {
                char d = c == '\\' && pos + 1 < s.length() ? s.charAt(++pos) : '/';
                pos++;
                skipDelimited(d);
                while (pos < s.length() && (s.charAt(pos) == 'I' || s.charAt(pos) == 'M')) {
                    pos++;
                }
            } else {
                return;
            }
            skipBlanks();
            if (part == 0 && pos < s.length() && s.charAt(pos) == ',') {
                pos++;
                skipBlanks();
            } else {
                return;
            }
        }
    }

    private void skipBlanks() {
        while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t')) {
            pos++;
        }
    }

    private void skipBlanksAndSeparators() {
        while (pos < s.length() && (Character.isWhitespace(s.charAt(pos)) || s.charAt(pos) == ';')) {
            pos++;
        }
    }

    private void toEndOfLine() {
        while (pos < s.length() && s.charAt(pos) != '\n') {
            pos++;
        }
    }

    private void toEndOfLineOrSemicolon(boolean comment) {
        while (pos < s.length() && s.charAt(pos) != '\n' && (comment || s.charAt(pos) != ';')) {
            pos++;
        }
    }
}
