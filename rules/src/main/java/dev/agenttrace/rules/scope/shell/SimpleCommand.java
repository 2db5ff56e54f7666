package dev.agenttrace.rules.scope.shell;

import java.util.List;

/**
 * One simple command: what the shell runs as a single program, after a script is split on
 * {@code ;}, {@code &&}, {@code ||}, {@code |}, {@code &}, newlines, subshells and substitutions.
 *
 * @param words        the words, binary first (leading assignments and keywords included)
 * @param redirections the file redirections
 * @param hereDocument the body of a here-document fed to it, or null
 * @param source       the command's text as written, for messages
 */
public record SimpleCommand(List<ShellWord> words, List<Redirection> redirections, String hereDocument, String source) {

    public SimpleCommand {
        words = List.copyOf(words);
        redirections = List.copyOf(redirections);
    }

    @Override
    public String toString() {
        return source;
    }
}
