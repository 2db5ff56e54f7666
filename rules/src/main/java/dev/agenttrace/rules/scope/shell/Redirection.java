package dev.agenttrace.rules.scope.shell;

/**
 * A file redirection of a simple command ({@code > out}, {@code 2>> log}, {@code < in},
 * {@code <> both}). Duplications such as {@code 2>&1} and here-documents are not file accesses and
 * are not recorded.
 *
 * @param operator the operator as written, without the file descriptor ({@code >}, {@code >>},
 *                 {@code <}, {@code <>}, {@code &>}, {@code >|})
 * @param target   the file word
 */
public record Redirection(String operator, ShellWord target) {

    public boolean reads() {
        return operator.startsWith("<");
    }

    public boolean writes() {
        return operator.indexOf('>') >= 0;
    }
}
