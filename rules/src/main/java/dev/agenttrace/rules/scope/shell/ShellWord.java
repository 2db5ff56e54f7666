package dev.agenttrace.rules.scope.shell;

/**
 * One word of a simple command after quote removal: {@code "rm -rf"} is the single word
 * {@code rm -rf}, {@code \cu'r'l} is {@code curl}.
 *
 * @param text           the word as the command will receive it, except that expansions
 *                       ({@code $X}, {@code $(...)}, backticks) are kept as written
 * @param quoted         some part of it was quoted or escaped
 * @param unquotedGlob   it holds an unquoted {@code *}, {@code ?} or {@code [}, so the shell may
 *                       replace it with matching file names
 * @param expansion      it holds a parameter, command or arithmetic expansion, so its run-time
 *                       value is unknown
 * @param braces         it holds an unquoted {@code {}, so bash may brace-expand it into several
 *                       words ({@code {.e,x}nv} is {@code .env xnv}, {@code {cat,.env}} is
 *                       {@code cat .env})
 */
public record ShellWord(String text, boolean quoted, boolean unquotedGlob, boolean expansion, boolean braces) {

    public ShellWord(String text, boolean quoted, boolean unquotedGlob, boolean expansion) {
        this(text, quoted, unquotedGlob, expansion, false);
    }

    public static ShellWord literal(String text) {
        return new ShellWord(text, false, false, false, false);
    }

    @Override
    public String toString() {
        return text;
    }
}
