package dev.agenttrace.hooks.event;

/** A hook payload that cannot be used; the message names the input, the problem and the fix. */
public final class HookInputException extends Exception {
    private static final long serialVersionUID = 1L;

    public HookInputException(String message) {
        super(message);
    }
}
