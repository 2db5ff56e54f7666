package dev.agenttrace.rules;

/** What the proxy does with a call the policy would block. */
public enum PolicyMode {
    /** Answer it with a blocked result; the server never sees it. */
    ENFORCE,
    /** Forward it anyway and record that it would have been blocked (to backtest a new policy). */
    SHADOW
}
