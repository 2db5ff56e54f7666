package dev.agenttrace.rules.watch;

/**
 * A watch configuration ({@code .agent-watch.json}, {@code .watch-rules.json}) that cannot be used.
 * Same shape as the firewall's {@code PolicyException}: {@code FILE:LINE:COLUMN: PROBLEM; fix: FIX}.
 * agent-strace silently fell back to its defaults on any error; here a typo stops the watch (or the
 * proxy) at start, pointing at the spot.
 */
public final class WatchConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final int column;
    private final String problem;
    private final String fix;

    public WatchConfigException(String source, int line, int column, String problem, String fix) {
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

    /** One-based line of the problem, or 0 if it concerns the whole file. */
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
