package dev.agenttrace.cli;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A policy or watch file the proxy was given but cannot use (it does not parse, a key is unknown):
 * enforcement cannot start, so the proxy forwards nothing, and says so in a sentence fit for the
 * client's answers, where a user of an IDE actually sees it (issue 20: the error used to be on
 * stderr only, and the client saw "Connection closed").
 */
final class BrokenConfig {
    private BrokenConfig() {
    }

    /**
     * Waits for {@code loading}; the message for the client if it failed with a {@link UserError}
     * (which names file, line, problem and fix), else null.
     */
    static String of(CompletableFuture<?> loading, String what) {
        try {
            loading.join();
            return null;
        } catch (CompletionException e) {
            if (e.getCause() instanceof UserError u) {
                return "agent-trace: the " + what + " cannot be used, so nothing is forwarded to the server: " + u.getMessage()
                        + ". Fix the file, then restart this server in your client.";
            }
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** The value if {@code f} completed normally, else null (still loading, or failed). */
    static <T> T now(CompletableFuture<T> f) {
        return f.isDone() && !f.isCompletedExceptionally() ? f.getNow(null) : null;
    }
}
