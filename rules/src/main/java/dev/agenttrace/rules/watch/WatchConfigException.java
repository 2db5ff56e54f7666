package dev.agenttrace.rules.watch;

import dev.agenttrace.rules.config.ConfigException;

/**
 * A watch configuration ({@code .agent-watch.json}, {@code .watch-rules.json}) that cannot be used:
 * {@code FILE:LINE:COLUMN: PROBLEM; fix: FIX}. agent-strace silently fell back to its defaults on
 * any error; here a typo stops the watch (or the proxy) at start, pointing at the spot.
 */
public final class WatchConfigException extends ConfigException {
    private static final long serialVersionUID = 1L;

    public WatchConfigException(String source, int line, int column, String problem, String fix) {
        super(source, line, column, problem, fix);
    }
}
