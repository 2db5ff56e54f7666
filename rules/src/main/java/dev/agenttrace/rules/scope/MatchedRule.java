package dev.agenttrace.rules.scope;

/**
 * The rule that decided, in the words a user looks for in their policy file:
 * {@code files.write.deny ".github/**"}, {@code files.read.allow (no match)},
 * {@code network.allow (no match)}, or a rule built into the firewall such as
 * {@code built-in "NUL byte in path"}.
 *
 * @param section where in the policy: {@code files.read.deny}, {@code commands.allow}, ... or
 *                {@code built-in}
 * @param pattern the pattern that matched as written in the policy, the built-in rule's name, or
 *                null when a non-empty allow list matched nothing
 */
public record MatchedRule(String section, String pattern) {

    public static MatchedRule pattern(String section, String pattern) {
        return new MatchedRule(section, pattern);
    }

    /** A non-empty allow list that nothing matched. */
    public static MatchedRule noMatch(String allowSection) {
        return new MatchedRule(allowSection, null);
    }

    public static MatchedRule builtIn(String name) {
        return new MatchedRule("built-in", name);
    }

    public boolean isNoMatch() {
        return pattern == null;
    }

    /** {@code files.write.deny ".github/**"} or {@code files.read.allow (no match)}. */
    public String display() {
        return pattern == null ? section + " (no match)" : section + " \"" + pattern + "\"";
    }

    @Override
    public String toString() {
        return display();
    }
}
