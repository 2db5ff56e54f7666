package dev.agenttrace.rules.suggest;

import dev.agenttrace.rules.scope.shell.CommandUnwrapper;
import dev.agenttrace.rules.scope.shell.Invocation;
import dev.agenttrace.rules.scope.shell.OptionConventions;
import dev.agenttrace.rules.scope.shell.ResolvedCommand;
import dev.agenttrace.rules.scope.shell.ShellParser;
import dev.agenttrace.rules.scope.shell.ShellSyntaxException;
import dev.agenttrace.rules.scope.shell.SimpleCommand;
import java.util.List;
import java.util.regex.Pattern;

/** Policy texts for values the firewall reported: paths and commands written so they match exactly that, and no more. */
final class Patterns {
    private static final Pattern PLAIN_WORD = Pattern.compile("[A-Za-z0-9._/:=@%+,-]+");

    /** A command the firewall named, read as the commands rules read it: the program that does the work and its words. */
    record Command(String program, List<String> words, List<String> positionals) {
    }

    private Patterns() {
    }

    /** A path as {@code Decision.value()} shows it (relative, {@code ~/...} or absolute), as a glob matching it literally. */
    static String exactPath(String display) {
        if (display.equals(".") || display.isEmpty()) {
            return "**";
        }
        return escapeGlob(display);
    }

    static String escapeGlob(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ("*?[]{}\\".indexOf(c) >= 0) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    /** One command word in a pattern: glob characters escaped, quoted for the shell reading of the pattern. */
    static String word(String text) {
        String escaped = escapeGlob(text);
        if (PLAIN_WORD.matcher(escaped).matches()) {
            return escaped;
        }
        return "'" + escaped.replace("'", "'\\''") + "'";
    }

    /** The command the firewall reported (one simple command), or null if it does not read as one program. */
    static Command command(String source) {
        List<SimpleCommand> commands;
        try {
            commands = ShellParser.parse(source);
        } catch (ShellSyntaxException | IllegalArgumentException e) {
            return null;
        }
        for (SimpleCommand c : commands) {
            ResolvedCommand r = CommandUnwrapper.resolve(c);
            if (r.runsProgram() && !r.innermost().binaryIsComputed()) {
                Invocation inner = r.innermost();
                return new Command(inner.binary(), inner.argumentTexts(),
                        OptionConventions.parse(inner.binary(), inner.argumentTexts()).positionals());
            }
        }
        return null;
    }

    /** A pattern for the program and all its positional words: what the probe allows to learn one command. */
    static String exactCommand(String source) {
        Command c = command(source);
        if (c == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(word(c.program()));
        boolean optionsEnded = false;
        for (String p : c.positionals()) {
            if (p.startsWith("-") && !optionsEnded) {
                // a positional that looks like an option (after "--" in the command) stays one in the pattern
                b.append(" --");
                optionsEnded = true;
            }
            b.append(' ').append(word(p));
        }
        return b.toString();
    }
}
