package dev.agenttrace.rules.watch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.EventTypes;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Carries out what a tripped rule says: terminal, file, webhook, pause, kill (block is the
 * session's own state, {@link SessionWatch#blocked()}), and records the alert as a trace event.
 * {@link #dispatch} only queues: the work runs on one background thread (so alerts keep their
 * order), webhooks on their own threads, the SIGKILL after the grace period on a timer. A proxy
 * calling it from a relay thread never waits on disk, a process or the network.
 */
public final class AlertActions implements AutoCloseable {
    /** Marker left in a paused session's directory: the pid that got SIGSTOP. */
    public static final String PAUSED_MARKER = ".watch-paused";
    /**
     * Marker in a session's directory while its breaker is open: the recorder's pid. Deleting it
     * ({@code agent-trace resume}) closes the breaker.
     */
    public static final String BLOCKED_MARKER = ".watch-blocked";
    /** The markers this process wrote and that are up; a marker becomes up only once it is on disk. */
    private final Set<Path> markersUp = ConcurrentHashMap.newKeySet();
    private final Set<Path> markersWanted = ConcurrentHashMap.newKeySet();

    private final Path traceDir;
    private final Consumer<String> terminal;
    private final Consumer<String> problems;
    private final WatchConfig.Webhook webhook;
    private final Duration killGrace;
    private final boolean dryRun;
    private final ExecutorService worker;
    private final ScheduledExecutorService timer;
    private final Duration webhookBackoff;
    private WebhookNotifier notifier; // made on first use, on the worker thread: most sessions never post
    private final Set<String> noted = ConcurrentHashMap.newKeySet();

    private AlertActions(Builder b) {
        this.traceDir = b.traceDir;
        this.terminal = b.terminal;
        this.problems = b.problems;
        this.webhook = b.webhook;
        this.killGrace = b.killGrace;
        this.dryRun = b.dryRun;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "agent-trace-watch-actions");
            t.setDaemon(true);
            return t;
        });
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "agent-trace-watch-kill-timer");
            t.setDaemon(true);
            return t;
        });
        this.webhookBackoff = b.webhookBackoff;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options; every one has a default. */
    public static final class Builder {
        private Path traceDir = Path.of(".agent-traces");
        private Consumer<String> terminal = System.err::println;
        private Consumer<String> problems = s -> System.err.println("agent-trace watch: " + s);
        private WatchConfig.Webhook webhook;
        private Duration killGrace = Duration.ofMillis((long) (WatchConfig.DEFAULT_KILL_GRACE_SECONDS * 1000));
        private Duration webhookBackoff = Duration.ofMillis(500);
        private boolean dryRun;

        /** The store directory: {@code alerts.log} goes there. */
        public Builder traceDir(Path dir) {
            this.traceDir = dir;
            return this;
        }

        /** Where {@code terminal} alert lines go (default: stderr). */
        public Builder terminal(Consumer<String> lines) {
            this.terminal = lines;
            return this;
        }

        /** Where failures of the actions themselves are reported (default: stderr). */
        public Builder problems(Consumer<String> lines) {
            this.problems = lines;
            return this;
        }

        /** The webhook, grace period and other settings of a configuration. */
        public Builder config(WatchConfig config) {
            this.webhook = config.webhook();
            this.killGrace = Duration.ofMillis((long) (config.killGraceSeconds() * 1000));
            return this;
        }

        public Builder webhook(WatchConfig.Webhook w) {
            this.webhook = w;
            return this;
        }

        public Builder killGrace(Duration d) {
            this.killGrace = d;
            return this;
        }

        /** Wait before the first webhook retry (doubled for each next one). */
        public Builder webhookBackoff(Duration d) {
            this.webhookBackoff = d;
            return this;
        }

        /** Say what pause and kill would do instead of signalling. */
        public Builder dryRun(boolean on) {
            this.dryRun = on;
            return this;
        }

        public AlertActions build() {
            return new AlertActions(this);
        }
    }

    /** Queues the alert's actions; returns at once. */
    public void dispatch(Alert alert, SessionTarget target) {
        try {
            worker.execute(() -> {
                try {
                    act(alert, target);
                } catch (RuntimeException e) {
                    problems.accept("acting on " + alert.rule() + " failed: " + e);
                }
            });
        } catch (RejectedExecutionException e) {
            problems.accept("alert dropped (shutting down): " + alert.line());
        }
    }

    /** Records a trace event of the session after the alerts queued before it. */
    public void record(dev.agenttrace.store.TraceEvent e, SessionTarget target) {
        if (target.recorder() == null) {
            return;
        }
        try {
            worker.execute(() -> target.recorder().accept(e));
        } catch (RejectedExecutionException x) {
            problems.accept("breaker event dropped (shutting down): " + e.data());
        }
    }

    /**
     * Puts the breaker marker up or takes it down (on the worker thread, after the alert that
     * opened the breaker); a no-op when it already is so.
     */
    void marker(Path marker, boolean up) {
        if (up ? !markersWanted.add(marker) : !markersWanted.remove(marker)) {
            return;
        }
        try {
            worker.execute(() -> {
                try {
                    if (up) {
                        Files.writeString(marker, Long.toString(ProcessHandle.current().pid()), StandardCharsets.US_ASCII);
                        markersUp.add(marker);
                    } else {
                        markersUp.remove(marker);
                        Files.deleteIfExists(marker);
                    }
                } catch (IOException e) {
                    problems.accept("cannot " + (up ? "write " : "remove ") + marker + " (" + e.getMessage()
                            + "); 'agent-trace resume' cannot reach this session's breaker");
                }
            });
        } catch (RejectedExecutionException e) {
            // shutting down: the session is over
        }
    }

    /** The marker is on disk because this process put it there (and has not taken it down). */
    boolean markerWritten(Path marker) {
        return markersUp.contains(marker);
    }

    /** Someone else removed the marker: forget it, so the breaker's next opening writes it again. */
    void markerGone(Path marker) {
        markersUp.remove(marker);
        markersWanted.remove(marker);
    }

    /** Waits until every alert queued so far has been acted on (webhooks may still be in flight). */
    public boolean awaitIdle(Duration timeout) {
        try {
            Future<?> f = worker.submit(() -> { });
            f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private void act(Alert a, SessionTarget target) {
        List<String> done = new ArrayList<>();
        String sid = target.sessionId();
        if (a.has(ActionKind.KILL)) {
            kill(a, target, done);
        } else if (a.has(ActionKind.PAUSE)) {
            pause(a, target, done);
        }
        if (a.has(ActionKind.BLOCK)) {
            if (target.canBlock()) {
                done.add("blocked the session's tool calls");
            } else if (noted.add(sid + "/block")) {
                terminal.accept("agent-trace watch: rule " + a.rule() + " says block, which only a proxy can do "
                        + "(record --watch); the watch alerts instead");
            }
        }
        if (a.has(ActionKind.TERMINAL)) {
            terminal.accept("agent-trace watch: " + a.line() + " [session " + sid + "]"
                    + (a.suggestion() == null ? "" : " -- " + a.suggestion()));
        }
        if (a.has(ActionKind.FILE)) {
            try {
                AlertLog.append(traceDir, a);
                done.add("alerts.log");
            } catch (IOException e) {
                problems.accept("cannot append to " + traceDir.resolve(AlertLog.FILE_NAME) + " (" + e.getMessage() + ")");
            }
        }
        webhooks(a, target, done);
        if (target.recorder() != null) {
            boolean refused = target.canBlock() && a.has(ActionKind.BLOCK) && a.event() != null
                    && EventTypes.TOOL_CALL.equals(a.event().eventType());
            target.recorder().accept(AlertEvents.alert(a, refused, done));
        }
    }

    private void webhooks(Alert a, SessionTarget target, List<String> done) {
        String notify = a.notifyTarget();
        String channel = notify != null && notify.startsWith("slack:") ? notify.substring("slack:".length()) : null;
        if (webhook != null && (webhook.wants(a) || channel != null)) {
            post(webhook.url(), a, channel, target);
            done.add("webhook");
        } else if (a.has(ActionKind.WEBHOOK) || channel != null) {
            if (noted.add(target.sessionId() + "/webhook/" + a.rule())) {
                problems.accept("rule " + a.rule() + " alerts to a webhook, but no webhook is configured (add \"webhook\": {\"url\": ...})");
            }
        }
        if (notify != null && (notify.startsWith("http://") || notify.startsWith("https://"))) {
            post(URI.create(notify), a, null, target);
            done.add("notify " + notify);
        }
    }

    private void post(URI url, Alert a, String channel, SessionTarget target) {
        ObjectNode body = a.toJson();
        body.put("text", "agent-trace watch: " + a.line() + " (session " + a.sessionId() + ")"
                + (a.suggestion() == null ? "" : "\n" + a.suggestion()));
        body.put("source", "agent-trace");
        if (channel != null) {
            body.put("channel", channel);
        }
        if (notifier == null) {
            notifier = new WebhookNotifier(webhook != null ? webhook.timeout() : Duration.ofSeconds(5),
                    webhook != null ? webhook.retries() : 3, webhookBackoff, problems);
        }
        notifier.post(url, body.toString()).thenAccept(ok -> {
            if (!ok && target.recorder() != null) {
                target.recorder().accept(AlertEvents.deliveryFailed(a, "webhook " + url + " could not be reached"));
            }
        });
    }

    private void pause(Alert a, SessionTarget target, List<String> done) {
        long pid = target.agentPid();
        if (pid <= 0) {
            problems.accept("rule " + a.rule() + " says pause, but the agent's pid is unknown for session " + target.sessionId()
                    + " (not in its meta); pass --agent-pid");
            return;
        }
        if (dryRun) {
            terminal.accept("agent-trace watch: [dry run] would pause the agent (SIGSTOP to pid " + pid + ")");
            return;
        }
        String problem = ProcessSignals.send("STOP", pid);
        if (problem != null) {
            problems.accept("cannot pause the agent: " + problem);
            return;
        }
        if (target.sessionDir() != null) {
            try {
                Files.writeString(target.sessionDir().resolve(PAUSED_MARKER), Long.toString(pid), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                problems.accept("paused pid " + pid + " but cannot note it in " + target.sessionDir() + " (" + e.getMessage() + ")");
            }
        }
        done.add("paused pid " + pid);
        terminal.accept("agent-trace watch: paused the agent (SIGSTOP to pid " + pid + "); resume it with: agent-trace resume "
                + target.sessionId());
    }

    private void kill(Alert a, SessionTarget target, List<String> done) {
        long pid = target.agentPid();
        ProcessSignals.Targets t = pid > 0 ? ProcessSignals.targets(pid) : null;
        long graceMs = killGrace.toMillis();
        String signals = t == null ? "nothing signalled: the agent's pid is unknown (pass --agent-pid)"
                : (dryRun ? "dry run: would send " : "") + "SIGTERM to " + t.description() + ", SIGKILL after " + graceMs + " ms if still alive";
        if (target.sessionDir() != null) {
            try {
                Path p = Postmortem.write(target.sessionDir(), Postmortem.build(a, target.watch(), pid, signals));
                done.add("postmortem " + p.getFileName());
            } catch (IOException e) {
                problems.accept("cannot write the post-mortem in " + target.sessionDir() + " (" + e.getMessage() + ")");
            }
        }
        if (t == null) {
            problems.accept("rule " + a.rule() + " says kill, but " + signals);
            return;
        }
        if (dryRun) {
            terminal.accept("agent-trace watch: [dry run] would kill the agent: " + signals);
            return;
        }
        String problem = t.signal("TERM");
        t.signal("CONT"); // a paused agent must run to act on SIGTERM
        if (problem != null && t.anyAlive()) {
            problems.accept("SIGTERM to " + t.description() + ": " + problem);
        }
        done.add("SIGTERM to " + t.description());
        terminal.accept("agent-trace watch: killing the agent: " + signals);
        try {
            timer.schedule(() -> {
                if (t.anyAlive()) {
                    String p = t.signal("KILL");
                    terminal.accept("agent-trace watch: the agent outlived SIGTERM by " + graceMs + " ms: SIGKILL to " + t.description()
                            + (p == null ? "" : " (" + p + ")"));
                }
            }, graceMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            t.signal("KILL");
        }
    }

    /** Stops the threads once queued alerts are acted on and a pending SIGKILL has had its grace period. */
    @Override
    public void close() {
        awaitIdle(Duration.ofSeconds(5));
        worker.shutdown();
        timer.shutdown(); // delayed SIGKILLs still run
        try {
            timer.awaitTermination(killGrace.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (notifier != null) {
            notifier.close();
        }
    }
}
