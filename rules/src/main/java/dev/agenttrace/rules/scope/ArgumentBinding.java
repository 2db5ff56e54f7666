package dev.agenttrace.rules.scope;

/**
 * One argument of a tool and what it means.
 *
 * @param key  the argument's name; a dotted path ({@code options.target}) reaches into nested
 *             objects; an array value (at any level) is judged element by element, so
 *             {@code paths} of {@code read_multiple_files} needs no special syntax
 * @param kind what the value is
 */
public record ArgumentBinding(String key, ArgumentKind kind) {
}
