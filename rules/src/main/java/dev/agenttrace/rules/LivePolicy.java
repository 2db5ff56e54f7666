package dev.agenttrace.rules;

import dev.agenttrace.rules.scope.JudgeContext;
import dev.agenttrace.rules.scope.PolicyException;
import dev.agenttrace.rules.scope.PolicyLoosening;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A policy file kept current while the proxy runs: edits are picked up within a poll interval,
 * and an edit that does not parse keeps the last good policy and says why on stderr, so a typo
 * never silently turns the firewall off (agent-strace's failure) nor kills a running session.
 *
 * <p>An edit that would loosen the policy ({@link PolicyLoosening}) is refused and reported on
 * stderr, unless the proxy was started with {@code --allow-live-loosening}: the agent the firewall
 * guards must not be able to switch it off by rewriting the file (the file is also write-protected
 * for every judged call; this is the second line, for writes the firewall could not see). Tighter
 * edits apply at once. The policy file itself is protected in every judgement.
 */
public final class LivePolicy implements AutoCloseable {
    private final Path file;
    private final JudgeContext context;
    private final PrintStream err;
    private final boolean allowLoosening;
    private final AtomicReference<ScopeFirewall> current = new AtomicReference<>();
    private final Thread poller;
    private volatile boolean closed;
    private FileTime seen;
    private long seenSize;

    private LivePolicy(Path file, JudgeContext context, PrintStream err, ScopeFirewall first, long pollMillis, boolean allowLoosening) {
        this.file = file;
        this.context = context;
        this.err = err;
        this.allowLoosening = allowLoosening;
        this.current.set(first);
        stamp();
        this.poller = new Thread(() -> poll(pollMillis), "agent-trace-policy");
        this.poller.setDaemon(true);
        if (pollMillis > 0) {
            this.poller.start();
        }
    }

    /**
     * Loads the policy, failing loudly (the proxy must not start with a policy it cannot read), and
     * watches it for edits every {@code pollMillis} (0: never).
     */
    public static LivePolicy load(Path file, JudgeContext context, PrintStream err, long pollMillis) throws PolicyException {
        return load(file, context, err, pollMillis, false);
    }

    /** @param allowLoosening apply edits that loosen the policy too ({@code --allow-live-loosening}) */
    public static LivePolicy load(Path file, JudgeContext context, PrintStream err, long pollMillis, boolean allowLoosening)
            throws PolicyException {
        JudgeContext guarded = context.protecting(file);
        return new LivePolicy(file, guarded, err, ScopeFirewall.load(file, guarded), pollMillis, allowLoosening);
    }

    public ScopeFirewall firewall() {
        return current.get();
    }

    public Path file() {
        return file;
    }

    /** Re-reads the file now if it changed; true if a new policy is in force. */
    public boolean reloadIfChanged() {
        FileTime before = seen;
        long sizeBefore = seenSize;
        stamp();
        if (seen == null || (seen.equals(before) && seenSize == sizeBefore)) {
            return false;
        }
        try {
            ScopeFirewall next = ScopeFirewall.load(file, context);
            List<String> looser = PolicyLoosening.of(current.get().policy(), next.policy());
            if (!looser.isEmpty() && !allowLoosening) {
                err.println("agent-trace: the edited policy " + file + " would loosen the firewall while a session runs ("
                        + String.join("; ", looser) + "); keeping the previous one. Restart the proxy to apply it, or start it with"
                        + " --allow-live-loosening");
                return false;
            }
            current.set(next);
            err.println("agent-trace: policy reloaded from " + file + (looser.isEmpty() ? "" : " (loosened: " + String.join("; ", looser) + ")"));
            return true;
        } catch (PolicyException e) {
            err.println("agent-trace: the edited policy is not valid, keeping the previous one: " + e.getMessage());
            return false;
        }
    }

    private void stamp() {
        try {
            seen = Files.getLastModifiedTime(file);
            seenSize = Files.size(file);
        } catch (IOException e) {
            seen = null;
        }
    }

    private void poll(long millis) {
        while (!closed) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                return;
            }
            reloadIfChanged();
        }
    }

    @Override
    public void close() {
        closed = true;
        poller.interrupt();
    }
}
