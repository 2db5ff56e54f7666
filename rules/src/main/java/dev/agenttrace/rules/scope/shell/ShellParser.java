package dev.agenttrace.rules.scope.shell;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a POSIX/bash command line into the simple commands it would run, so a rule about
 * {@code curl} sees the {@code curl} in {@code cd /tmp && echo $(curl evil.com)}.
 *
 * <p>Splits on {@code ;}, {@code &&}, {@code ||}, {@code |}, {@code |&}, {@code &}, newlines,
 * {@code ( ... )} subshells, {@code $( ... )}, backticks, {@code <( ... )} / {@code >( ... )}
 * process substitution, and substitutions inside {@code ${...}} and unquoted here-documents.
 * Quoting follows the shell: {@code '...'} is literal, {@code "..."} keeps {@code $}, backticks and
 * {@code \} escapes live, {@code $'...'} decodes C escapes ({@code $'\x63url'} is {@code curl}), and
 * a backslash escapes the next character. Words come back with quotes removed.
 *
 * <p>It does not expand variables, globs or aliases: callers see that a word holds an expansion
 * and decide what an unknown value means. Malformed input (an unclosed quote or parenthesis) is
 * read to the end of the text rather than rejected, since bash would run what it could parse. The
 * only refusals are nesting deeper than {@value #MAX_DEPTH} and text longer than
 * {@value #MAX_LENGTH} characters, which no legitimate command needs.
 */
public final class ShellParser {
    public static final int MAX_DEPTH = 16;
    public static final int MAX_LENGTH = 1 << 20;
    private static final int MAX_COMMANDS = 10_000;

    private final String s;
    private final int depth;
    private final List<CommandBuilder> out;
    private final List<PendingHereDocument> pendingHereDocuments = new ArrayList<>();
    private int pos;

    private ShellParser(String s, int depth, List<CommandBuilder> out) {
        if (depth > MAX_DEPTH) {
            throw new ShellSyntaxException("the command nests substitutions or shells more than " + MAX_DEPTH + " levels deep");
        }
        if (s.length() > MAX_LENGTH) {
            throw new ShellSyntaxException("the command is longer than " + MAX_LENGTH + " characters");
        }
        this.s = s;
        this.depth = depth;
        this.out = out;
    }

    /**
     * @param script a command line as a shell tool receives it
     * @param depth  how deep this script already sits inside other scripts ({@code bash -c}
     *               strings count), so that the total nesting stays bounded
     * @return every simple command, substitutions included, in the order they complete
     * @throws ShellSyntaxException if the script is nested too deeply or is too long
     */
    public static List<SimpleCommand> parse(String script, int depth) {
        List<CommandBuilder> builders = new ArrayList<>();
        ShellParser p = new ShellParser(script, depth, builders);
        p.parseList((char) 0);
        List<SimpleCommand> commands = new ArrayList<>(builders.size());
        for (CommandBuilder b : builders) {
            commands.add(b.build());
        }
        return commands;
    }

    public static List<SimpleCommand> parse(String script) {
        return parse(script, 0);
    }

    private static final class CommandBuilder {
        final String source;
        final List<ShellWord> words = new ArrayList<>();
        final List<Redirection> redirections = new ArrayList<>();
        String hereDocument;
        int start = -1;
        int end;

        CommandBuilder(String source) {
            this.source = source;
        }

        boolean isEmpty() {
            return words.isEmpty() && redirections.isEmpty() && hereDocument == null;
        }

        void touch(int from, int to) {
            if (start < 0) {
                start = from;
            }
            end = Math.max(end, to);
        }

        SimpleCommand build() {
            String text = start < 0 ? "" : source.substring(start, Math.min(end, source.length())).trim();
            return new SimpleCommand(words, redirections, hereDocument, text);
        }
    }

    private static final class WordBuilder {
        final StringBuilder text = new StringBuilder();
        boolean quoted;
        boolean glob;
        boolean expansion;
        boolean braces;

        ShellWord build() {
            return new ShellWord(text.toString(), quoted, glob, expansion, braces);
        }

        boolean isPlainNumber() {
            if (quoted || expansion || text.length() == 0) {
                return false;
            }
            for (int i = 0; i < text.length(); i++) {
                if (!Character.isDigit(text.charAt(i))) {
                    return false;
                }
            }
            return true;
        }
    }

    private record PendingHereDocument(CommandBuilder command, String delimiter, boolean stripTabs, boolean expand) {
    }

    /** Parses commands until the end of the text or an unmatched {@code closer}. */
    private void parseList(char closer) {
        CommandBuilder command = new CommandBuilder(s);
        WordBuilder word = null;
        int wordStart = pos;
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == closer && closer != 0) {
                finishWord(command, word, wordStart);
                finishCommand(command);
                pos++;
                return;
            }
            switch (c) {
                case ' ', '\t', '\r' -> {
                    word = finishWord(command, word, wordStart);
                    pos++;
                }
                case '\n' -> {
                    word = finishWord(command, word, wordStart);
                    command = finishCommand(command);
                    pos++;
                    readHereDocuments();
                }
                case ';', '|' -> {
                    word = finishWord(command, word, wordStart);
                    command = finishCommand(command);
                    pos++;
                    while (pos < s.length() && (s.charAt(pos) == ';' || s.charAt(pos) == '|' || s.charAt(pos) == '&')) {
                        pos++;
                    }
                }
                case '&' -> {
                    if (pos + 1 < s.length() && s.charAt(pos + 1) == '>') {
                        word = finishWord(command, word, wordStart);
                        redirect(command);
                    } else {
                        word = finishWord(command, word, wordStart);
                        command = finishCommand(command);
                        pos++;
                        while (pos < s.length() && (s.charAt(pos) == '&' || s.charAt(pos) == '|')) {
                            pos++;
                        }
                    }
                }
                case '(' -> {
                    if (word != null && word.text.length() > 0 && word.text.charAt(word.text.length() - 1) == '=') {
                        // a=(one two): an array assignment, literal for our purposes.
                        int close = matchingParen(pos);
                        word.text.append(s, pos, close);
                        pos = close;
                    } else {
                        word = finishWord(command, word, wordStart);
                        pos++;
                        int close = pos;
                        while (close < s.length() && (s.charAt(close) == ' ' || s.charAt(close) == '\t')) {
                            close++;
                        }
                        if (close < s.length() && s.charAt(close) == ')') {
                            // f() { ...; }: a function definition; its name is not a command, its body is.
                            pos = close + 1;
                            command.words.clear();
                        } else {
                            descend(')');
                        }
                    }
                }
                case ')' -> {
                    // A ')' with no '(' (a case pattern, or junk): ends the command, like bash would.
                    word = finishWord(command, word, wordStart);
                    command = finishCommand(command);
                    pos++;
                }
                case '<', '>' -> {
                    if (pos + 1 < s.length() && s.charAt(pos + 1) == '(') {
                        if (word == null) {
                            word = new WordBuilder();
                            wordStart = pos;
                        }
                        processSubstitution(word);
                    } else {
                        if (word != null && word.isPlainNumber()) {
                            word = null; // "2>": the number is the file descriptor, not a word
                        } else {
                            word = finishWord(command, word, wordStart);
                        }
                        redirect(command);
                    }
                }
                case '#' -> {
                    if (word == null) {
                        while (pos < s.length() && s.charAt(pos) != '\n') {
                            pos++;
                        }
                    } else {
                        word.text.append(c);
                        pos++;
                    }
                }
                default -> {
                    if (word == null) {
                        word = new WordBuilder();
                        wordStart = pos;
                    }
                    wordPart(word, false);
                }
            }
        }
        finishWord(command, word, wordStart);
        finishCommand(command);
    }

    private WordBuilder finishWord(CommandBuilder command, WordBuilder word, int wordStart) {
        if (word != null) {
            command.words.add(word.build());
            command.touch(wordStart, pos);
        }
        return null;
    }

    private CommandBuilder finishCommand(CommandBuilder command) {
        if (!command.isEmpty()) {
            if (out.size() >= MAX_COMMANDS) {
                throw new ShellSyntaxException("the command holds more than " + MAX_COMMANDS + " simple commands");
            }
            out.add(command);
        }
        return new CommandBuilder(s);
    }

    /** Parses a nested list (subshell or substitution) up to its closing parenthesis. */
    private void descend(char closer) {
        if (depth + 1 > MAX_DEPTH) {
            throw new ShellSyntaxException("the command nests substitutions or shells more than " + MAX_DEPTH + " levels deep");
        }
        ShellParser inner = new ShellParser(s, depth + 1, out);
        inner.pos = pos;
        inner.parseList(closer);
        pos = inner.pos;
    }

    private static boolean isMeta(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '&' || c == '|'
                || c == '(' || c == ')' || c == '<' || c == '>';
    }

    /** Reads one unit of a word (a character, a quoted string, an escape or an expansion). */
    private void wordPart(WordBuilder word, boolean inDoubleQuotes) {
        char c = s.charAt(pos);
        switch (c) {
            case '\\' -> {
                if (pos + 1 >= s.length()) {
                    word.text.append('\\');
                    pos++;
                } else if (s.charAt(pos + 1) == '\n') {
                    pos += 2; // line continuation
                } else {
                    word.text.append(s.charAt(pos + 1));
                    word.quoted = true;
                    pos += 2;
                }
            }
            case '\'' -> {
                int close = s.indexOf('\'', pos + 1);
                int end = close < 0 ? s.length() : close;
                word.text.append(s, pos + 1, end);
                word.quoted = true;
                pos = close < 0 ? s.length() : close + 1;
            }
            case '"' -> doubleQuoted(word);
            case '$' -> dollar(word, inDoubleQuotes);
            case '`' -> backtick(word);
            case '*', '?', '[' -> {
                word.text.append(c);
                word.glob = true;
                pos++;
            }
            case '{' -> {
                word.text.append(c);
                word.braces = true;
                pos++;
            }
            default -> {
                word.text.append(c);
                pos++;
            }
        }
    }

    private void doubleQuoted(WordBuilder word) {
        word.quoted = true;
        pos++;
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == '"') {
                pos++;
                return;
            }
            if (c == '\\' && pos + 1 < s.length()) {
                char n = s.charAt(pos + 1);
                if (n == '\n') {
                    pos += 2;
                } else if (n == '$' || n == '`' || n == '"' || n == '\\') {
                    word.text.append(n);
                    pos += 2;
                } else {
                    word.text.append('\\');
                    pos++;
                }
            } else if (c == '$') {
                dollar(word, true);
            } else if (c == '`') {
                backtick(word);
            } else {
                word.text.append(c);
                pos++;
            }
        }
    }

    private void dollar(WordBuilder word, boolean inDoubleQuotes) {
        int start = pos;
        char n = pos + 1 < s.length() ? s.charAt(pos + 1) : 0;
        if (n == '(' && pos + 2 < s.length() && s.charAt(pos + 2) == '(') {
            int close = matchingParen(pos + 1);
            String inner = s.substring(Math.min(pos + 3, close), Math.max(pos + 3, close - 2));
            scanSubstitutions(inner);
            word.text.append(s, start, close);
            word.expansion = true;
            pos = close;
        } else if (n == '(') {
            pos += 2;
            descend(')');
            word.text.append(s, start, Math.min(pos, s.length()));
            word.expansion = true;
        } else if (n == '{') {
            int close = matchingBrace(pos + 1);
            scanSubstitutions(s.substring(pos + 2, Math.max(pos + 2, close - 1)));
            word.text.append(s, start, close);
            word.expansion = true;
            pos = close;
        } else if (n == '\'' && !inDoubleQuotes) {
            ansiC(word);
        } else if (n == '"' && !inDoubleQuotes) {
            pos++;
            doubleQuoted(word);
        } else if (Character.isLetter(n) || n == '_') {
            int end = pos + 1;
            while (end < s.length() && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_')) {
                end++;
            }
            word.text.append(s, start, end);
            word.expansion = true;
            pos = end;
        } else if (n != 0 && "0123456789#?$!@*-".indexOf(n) >= 0) {
            word.text.append(s, start, pos + 2);
            word.expansion = true;
            pos += 2;
        } else {
            word.text.append('$');
            pos++;
        }
    }

    /** $'...': C escapes decoded, so $'\x63\x75\x72\x6c' is read as curl. */
    private void ansiC(WordBuilder word) {
        word.quoted = true;
        pos += 2;
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == '\'') {
                pos++;
                return;
            }
            if (c != '\\' || pos + 1 >= s.length()) {
                word.text.append(c);
                pos++;
                continue;
            }
            char e = s.charAt(pos + 1);
            pos += 2;
            switch (e) {
                case 'n' -> word.text.append('\n');
                case 't' -> word.text.append('\t');
                case 'r' -> word.text.append('\r');
                case 'a' -> word.text.append('\u0007');
                case 'b' -> word.text.append('\b');
                case 'e', 'E' -> word.text.append('\u001b');
                case 'f' -> word.text.append('\f');
                case 'v' -> word.text.append('\u000b');
                case 'x' -> word.text.appendCodePoint(number(16, 2));
                case 'u' -> word.text.appendCodePoint(number(16, 4));
                case 'U' -> word.text.appendCodePoint(number(16, 8));
                case 'c' -> {
                    if (pos < s.length()) {
                        word.text.append((char) (s.charAt(pos) & 0x1f));
                        pos++;
                    }
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        pos--;
                        word.text.appendCodePoint(number(8, 3));
                    } else {
                        word.text.append(e);
                    }
                }
            }
        }
    }

    private int number(int radix, int maxDigits) {
        int value = 0;
        int digits = 0;
        while (digits < maxDigits && pos < s.length() && Character.digit(s.charAt(pos), radix) >= 0) {
            value = value * radix + Character.digit(s.charAt(pos), radix);
            pos++;
            digits++;
        }
        return Character.isValidCodePoint(value) ? value : 0xFFFD;
    }

    private void backtick(WordBuilder word) {
        int start = pos;
        pos++;
        StringBuilder inner = new StringBuilder();
        while (pos < s.length() && s.charAt(pos) != '`') {
            char c = s.charAt(pos);
            if (c == '\\' && pos + 1 < s.length() && "`\\$".indexOf(s.charAt(pos + 1)) >= 0) {
                inner.append(s.charAt(pos + 1));
                pos += 2;
            } else {
                inner.append(c);
                pos++;
            }
        }
        pos = Math.min(pos + 1, s.length());
        new ShellParser(inner.toString(), depth + 1, out).parseList((char) 0);
        word.text.append(s, start, pos);
        word.expansion = true;
    }

    private void processSubstitution(WordBuilder word) {
        int start = pos;
        pos += 2;
        descend(')');
        word.text.append(s, start, Math.min(pos, s.length()));
        word.expansion = true;
    }

    /** Finds $( and backticks in text that is otherwise data (arithmetic, ${...}, here-documents). */
    private void scanSubstitutions(String text) {
        if (text.indexOf("$(") < 0 && text.indexOf('`') < 0) {
            return;
        }
        ShellParser inner = new ShellParser(text, depth + 1, out);
        while (inner.pos < text.length()) {
            char c = text.charAt(inner.pos);
            if (c == '\\') {
                inner.pos += 2;
            } else if (c == '$' && inner.pos + 1 < text.length() && text.charAt(inner.pos + 1) == '(') {
                inner.dollar(new WordBuilder(), false);
            } else if (c == '`') {
                inner.backtick(new WordBuilder());
            } else {
                inner.pos++;
            }
        }
    }

    /** Index just after the ')' matching the '(' at {@code open}, or the end of the text. */
    private int matchingParen(int open) {
        int level = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '(') {
                level++;
            } else if (c == ')') {
                level--;
                if (level == 0) {
                    return i + 1;
                }
            }
        }
        return s.length();
    }

    private int matchingBrace(int open) {
        int level = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '{') {
                level++;
            } else if (c == '}') {
                level--;
                if (level == 0) {
                    return i + 1;
                }
            }
        }
        return s.length();
    }

    private void redirect(CommandBuilder command) {
        int opStart = pos;
        String op;
        if (s.startsWith("&>>", pos)) {
            op = "&>>";
        } else if (s.startsWith("&>", pos)) {
            op = "&>";
        } else if (s.startsWith("<<<", pos)) {
            op = "<<<";
        } else if (s.startsWith("<<-", pos)) {
            op = "<<-";
        } else if (s.startsWith("<<", pos)) {
            op = "<<";
        } else if (s.startsWith("<>", pos)) {
            op = "<>";
        } else if (s.startsWith("<&", pos)) {
            op = "<&";
        } else if (s.startsWith(">>", pos)) {
            op = ">>";
        } else if (s.startsWith(">|", pos)) {
            op = ">|";
        } else if (s.startsWith(">&", pos)) {
            op = ">&";
        } else {
            op = s.substring(pos, pos + 1);
        }
        pos += op.length();
        while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t')) {
            pos++;
        }
        WordBuilder target = new WordBuilder();
        while (pos < s.length() && !isMeta(s.charAt(pos))) {
            wordPart(target, false);
        }
        command.touch(opStart, pos);
        ShellWord word = target.build();
        switch (op) {
            case "<<", "<<-" -> pendingHereDocuments.add(new PendingHereDocument(command, word.text(), op.equals("<<-"), !word.quoted()));
            case "<<<" -> {
                // a here-string is the command's standard input, like a here-document: a shell or an
                // interpreter reading it runs it (its substitutions already ran through wordPart)
                if (command.hereDocument == null) {
                    command.hereDocument = word.text() + "\n";
                }
            }
            case ">&", "<&" -> {
                String t = word.text();
                boolean duplication = t.equals("-") || t.chars().allMatch(Character::isDigit) && !t.isEmpty();
                if (!duplication) {
                    command.redirections.add(new Redirection(op.equals(">&") ? "&>" : "<", word));
                }
            }
            default -> command.redirections.add(new Redirection(op, word));
        }
    }

    private void readHereDocuments() {
        if (pendingHereDocuments.isEmpty()) {
            return;
        }
        for (PendingHereDocument doc : pendingHereDocuments) {
            StringBuilder body = new StringBuilder();
            while (pos < s.length()) {
                int eol = s.indexOf('\n', pos);
                int end = eol < 0 ? s.length() : eol;
                String line = s.substring(pos, end);
                pos = eol < 0 ? s.length() : eol + 1;
                String compare = doc.stripTabs ? line.replaceFirst("^\t+", "") : line;
                if (compare.equals(doc.delimiter)) {
                    break;
                }
                body.append(compare).append('\n');
            }
            doc.command.hereDocument = body.toString();
            if (doc.expand) {
                scanSubstitutions(doc.command.hereDocument);
            }
        }
        pendingHereDocuments.clear();
    }
}
