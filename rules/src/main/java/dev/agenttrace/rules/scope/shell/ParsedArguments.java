package dev.agenttrace.rules.scope.shell;

import java.util.List;
import java.util.Set;

/**
 * A program's arguments sorted into flags, option values and positionals, by the conventions of
 * that program ({@link OptionConventions}).
 *
 * @param flags        every option given, normalised: a short option as its letter ({@code "r"}),
 *                     a long one as written ({@code "--force"}) unless it has a short synonym,
 *                     so {@code -rf}, {@code -r -f}, {@code -fR} and
 *                     {@code --recursive --force} all give {@code {r, f}} for {@code rm}
 * @param optionValues options that took a value, in order
 * @param positionals  the remaining words, in order
 */
public record ParsedArguments(Set<String> flags, List<OptionValue> optionValues, List<String> positionals) {

    public ParsedArguments {
        flags = Set.copyOf(flags);
        optionValues = List.copyOf(optionValues);
        positionals = List.copyOf(positionals);
    }

    /** An option and the value it took ({@code -o out.txt}, {@code --url=x}). */
    public record OptionValue(String option, String value) {
    }

    public boolean has(String flag) {
        return flags.contains(flag);
    }

    /** Values of the given options, in order. */
    public List<String> valuesOf(String... options) {
        Set<String> wanted = Set.of(options);
        return optionValues.stream().filter(v -> wanted.contains(v.option())).map(OptionValue::value).toList();
    }
}
