package dev.agenttrace.rules.config;

/**
 * A configuration file that cannot be used (a policy, a watch configuration). The message is the
 * one a user sees when the proxy refuses to start or a live edit is rejected:
 * {@code FILE:LINE:COLUMN: PROBLEM; fix: FIX}, which terminals and editors turn into a link to the spot.
 */
public class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final int column;
    private final String problem;
    private final String fix;

    public ConfigException(String source, int line, int column, String problem, String fix) {
        super(source + ":" + line + ":" + column + ": " + problem + (fix == null || fix.isEmpty() ? "" : "; fix: " + fix));
        this.source = source;
        this.line = line;
        this.column = column;
        this.problem = problem;
        this.fix = fix;
    }

    /** The file (or other source name) the configuration came from. */
    public String source() {
        return source;
    }

    /** One-based line of the problem, or 0 if it concerns the whole file (e.g. it cannot be read). */
    public int line() {
        return line;
    }

    /** One-based column of the problem, or 0. */
    public int column() {
        return column;
    }

    public String problem() {
        return problem;
    }

    public String fix() {
        return fix;
    }
}
