package dev.agenttrace.rules.scope;

import dev.agenttrace.rules.config.ConfigException;

/**
 * A policy file that cannot be used: {@code FILE:LINE:COLUMN: PROBLEM; fix: FIX}, the message a
 * user sees when the proxy refuses to start or a live edit is rejected.
 */
public final class PolicyException extends ConfigException {
    private static final long serialVersionUID = 1L;

    public PolicyException(String source, int line, int column, String problem, String fix) {
        super(source, line, column, problem, fix);
    }
}
