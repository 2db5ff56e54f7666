package dev.agenttrace.rules.scope.paths;

/**
 * A path as the file system will see it, in the two forms rules are matched against.
 *
 * @param input    the text the tool call carried
 * @param absolute the absolute path after {@code ~}, {@code .}, {@code ..} and symlinks (for the part
 *                 that exists) are resolved; {@code null} when {@link #invalidReason} is set
 * @param relative the path relative to the project root, {@code ""} for the root itself, or
 *                 {@code null} when the path escapes the root (then no relative allow rule can
 *                 match it)
 * @param invalidReason why the input cannot be a path at all (a NUL byte), else {@code null}
 */
public record NormalisedPath(String input, String absolute, String relative, String invalidReason) {

    public static NormalisedPath invalid(String input, String reason) {
        return new NormalisedPath(input, null, null, reason);
    }

    public boolean isValid() {
        return invalidReason == null;
    }

    public boolean insideRoot() {
        return relative != null;
    }

    /** The form a user recognises: relative inside the root ({@code .} for the root), else absolute. */
    public String display() {
        if (!isValid()) {
            return input;
        }
        if (relative == null) {
            return absolute;
        }
        return relative.isEmpty() ? "." : relative;
    }
}
