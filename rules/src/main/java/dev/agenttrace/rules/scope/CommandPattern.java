package dev.agenttrace.rules.scope;

import dev.agenttrace.rules.scope.paths.GlobSyntaxException;
import dev.agenttrace.rules.scope.paths.GlobTranslator;
import dev.agenttrace.rules.scope.shell.Invocation;
import dev.agenttrace.rules.scope.shell.OptionConventions;
import dev.agenttrace.rules.scope.shell.ParsedArguments;
import dev.agenttrace.rules.scope.shell.ShellParser;
import dev.agenttrace.rules.scope.shell.ShellSyntaxException;
import dev.agenttrace.rules.scope.shell.ShellWord;
import dev.agenttrace.rules.scope.shell.SimpleCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One entry of {@code commands.allow} or {@code commands.deny}, compiled once and matched by
 * tokens, not by text.
 *
 * <p>A pattern is a program, flags and leading positional words, read with the same shell quoting
 * and option conventions as the commands it judges. A command matches when:
 * <ul>
 *   <li>its program is the pattern's program (both reduced to the last path segment, lower case,
 *       so {@code /usr/bin/curl} is {@code curl}); the program may be a glob ({@code python*});</li>
 *   <li>it has every flag of the pattern, in any order or grouping ({@code rm -rf} matches
 *       {@code rm -fr}, {@code rm -r -f}, {@code rm -Rf}, {@code rm --recursive --force});</li>
 *   <li>the pattern's positional words are a prefix of the command's ({@code git status} matches
 *       {@code git status --short} but not {@code git statusx} nor {@code git log status}); each
 *       may be a glob, and a trailing {@code *} word means "any further words" (so
 *       agent-strace's {@code "npm *"} still works).</li>
 * </ul>
 */
public final class CommandPattern {
    private final String text;
    private final String program;
    private final Pattern programGlob;
    private final Set<String> flags;
    private final List<Pattern> positionals;

    private CommandPattern(String text, String program, Pattern programGlob, Set<String> flags, List<Pattern> positionals) {
        this.text = text;
        this.program = program;
        this.programGlob = programGlob;
        this.flags = flags;
        this.positionals = positionals;
    }

    /**
     * @throws IllegalArgumentException with a message that says what to write instead, if the
     *                                  text is empty, holds more than one command, a redirection,
     *                                  or a bad glob
     */
    public static CommandPattern compile(String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("the command pattern is empty; remove the empty string");
        }
        List<SimpleCommand> commands;
        try {
            commands = ShellParser.parse(text);
        } catch (ShellSyntaxException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        if (commands.size() != 1 || !commands.get(0).redirections().isEmpty() || commands.get(0).words().isEmpty()) {
            throw new IllegalArgumentException("a command pattern is one program with its arguments; split \"" + text
                    + "\" into one pattern per program (each command of a pipeline or list is judged on its own)");
        }
        List<ShellWord> words = commands.get(0).words();
        String program = Invocation.programName(words.get(0).text());
        List<String> rest = new ArrayList<>();
        for (int i = 1; i < words.size(); i++) {
            rest.add(words.get(i).text());
        }
        ParsedArguments parsed = OptionConventions.parse(program, rest);
        List<String> positionalTexts = new ArrayList<>(parsed.positionals());
        while (!positionalTexts.isEmpty() && positionalTexts.get(positionalTexts.size() - 1).equals("*")) {
            positionalTexts.remove(positionalTexts.size() - 1);
        }
        List<Pattern> positionals = new ArrayList<>();
        for (String p : positionalTexts) {
            positionals.add(glob(p, text));
        }
        Pattern programGlob = GlobTranslator.hasWildcard(program) ? glob(program, text) : null;
        return new CommandPattern(text, program, programGlob, parsed.flags(), List.copyOf(positionals));
    }

    private static Pattern glob(String word, String text) {
        try {
            return Pattern.compile(GlobTranslator.toRegex(word, false), Pattern.DOTALL);
        } catch (GlobSyntaxException e) {
            throw new IllegalArgumentException("bad glob \"" + word + "\" in command pattern \"" + text + "\": "
                    + e.problem() + "; " + e.fix());
        }
    }

    /** True if the pattern names more than a program ({@code python3 -c}, {@code git status}). */
    public boolean isSpecific() {
        return !flags.isEmpty() || !positionals.isEmpty();
    }

    /** The program name the pattern names (possibly a glob). */
    public String program() {
        return program;
    }

    public String text() {
        return text;
    }

    /**
     * @param invocation the program and its words
     * @param arguments  the words as {@link OptionConventions#parse} sorted them for that program
     */
    public boolean matches(Invocation invocation, ParsedArguments arguments) {
        String candidate = invocation.binary();
        if (programGlob != null ? !programGlob.matcher(candidate).matches() : !program.equals(candidate)) {
            return false;
        }
        if (!arguments.flags().containsAll(flags)) {
            return false;
        }
        List<String> given = arguments.positionals();
        if (given.size() < positionals.size()) {
            return false;
        }
        for (int i = 0; i < positionals.size(); i++) {
            if (!positionals.get(i).matcher(given.get(i)).matches()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return text;
    }
}
