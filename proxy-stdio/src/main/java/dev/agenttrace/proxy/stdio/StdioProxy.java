package dev.agenttrace.proxy.stdio;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.rules.Guard;
import dev.agenttrace.rules.inline.Checkpoint;
import dev.agenttrace.rules.watch.WatchedSession;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionWriter;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.mcp.Direction;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One proxied server: spawns the child, runs the two relays, and ends the session the same way
 * whatever ends it.
 *
 * <pre>
 *   client stdin  --Relay(c2s)-->  child stdin
 *   client stdout <--Relay(s2c)--  child stdout        child stderr -> our stderr, untouched
 * </pre>
 *
 * Endings, as the MCP spec asks of a client: the client closes stdin, or stops reading, or the
 * proxy gets SIGTERM/SIGINT: close the child's stdin, wait, SIGTERM, wait, SIGKILL (its
 * descendants too). The child exits: drain its stdout to the client, then exit with its code.
 * In every case {@code session_end} and the final meta are written before the process ends.
 */
public final class StdioProxy {
    /** Opens the trace session; runs off the forwarding path, once the child's pid is known. */
    @FunctionalInterface
    public interface SessionOpener {
        /**
         * @param childPid  the server's pid, or -1 when it could not be started
         * @param startedAt epoch seconds when the proxy started: the session's {@code started_at}
         * @return the writer, or null to forward without tracing
         */
        SessionWriter open(long childPid, double startedAt);
    }

    /**
     * Watchers run inline: every message is classified where it is read and the session's
     * watchers see its events before it is forwarded, so a rule that says {@code block} stops the
     * very call that trips it.
     *
     * @param sessionId    the id the session opener must create the session with
     * @param storeOptions the store's options (payload limits apply to the events the watch sees)
     * @param starter      makes the session's watch once the proxy starts
     * @param actions      closed when the session ends, before {@code session_end} is written, so
     *                     queued alerts reach the trace
     */
    public record InlineWatch(String sessionId, StoreOptions storeOptions, Starter starter, AutoCloseable actions) {
    }

    /** Makes the watch of the session that starts now. */
    @FunctionalInterface
    public interface Starter {
        /**
         * @param startedAt epoch seconds the session started
         * @param recorder  records an event (an alert) in the session's trace
         */
        WatchedSession start(double startedAt, Consumer<TraceEvent> recorder);
    }

    private final List<String> command;
    private final java.util.concurrent.Callable<Checkpoint> checkpointLoader;
    private final ProxyOptions opts;
    private final PrintStream err;
    private final SessionOpener sessionOpenerFn;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final Object finishLock = new Object();
    private volatile int exitCode = -1;
    private volatile Process child;
    private volatile Thread serverToClient;
    private volatile Thread sessionOpener;
    private WireRecorder recorder;
    private PeerWriter toServer;
    private PeerWriter toClient;
    private long startNanos;
    private Callable<InlineWatch> watchLoader = () -> null;
    private volatile InlineWatch inlineWatch;
    private volatile Thread ticker;
    private volatile Runnable onSignalEnd = () -> { };
    private Spawned spawned;
    /** The trace is opened once the server has spoken, or after this long. */
    static final long OPEN_AFTER_MAX_MS = 1000;

    /**
     * The server, started before the proxy is built: an MCP client waits for the server's answer
     * to {@code initialize}, so the server's own start-up should overlap everything the proxy
     * still has to do (read its configuration, open the store). Hand it to {@link #startedAs};
     * if the proxy is never run, {@link #abandon} stops it. Nothing reaches it before the proxy
     * runs: its stdin is not written until the relays start, after the checkpoint is in force.
     */
    public static final class Spawned {
        final Process process;
        final IOException failure;
        final long nanos;

        private Spawned(Process process, IOException failure, long nanos) {
            this.process = process;
            this.failure = failure;
            this.nanos = nanos;
        }

        /** Stops the server (and its descendants) when the proxy will not run after all. */
        public void abandon() {
            if (process != null) {
                List<ProcessHandle> family = process.descendants().toList();
                process.destroyForcibly();
                killAll(family);
            }
        }
    }

    /** Starts the server now; a failure to start it is reported when the proxy runs. */
    public static Spawned spawn(List<String> command) {
        ProcessStartLogger.install();
        long nanos = System.nanoTime();
        try {
            return new Spawned(serverProcess(command).start(), null, nanos);
        } catch (IOException e) {
            return new Spawned(null, e, nanos);
        }
    }

    private static ProcessBuilder serverProcess(List<String> command) {
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    }

    /** Runs around a server {@link #spawn} started with this proxy's command (instead of starting one). */
    public StdioProxy startedAs(Spawned server) {
        this.spawned = server;
        return this;
    }

    /**
     * @param command        the server command line
     * @param opts           limits and framing
     * @param sessionFactory opens the trace session once the child's pid is known (null result or
     *                       an exception: forward without tracing)
     * @param err            where the proxy's own messages go (never stdout)
     */
    public StdioProxy(List<String> command, ProxyOptions opts, SessionOpener sessionFactory, PrintStream err) {
        this(command, opts, sessionFactory, err, (Guard) null);
    }

    /**
     * @param guard judges every client-to-server message before it is forwarded; null for none
     */
    public StdioProxy(List<String> command, ProxyOptions opts, SessionOpener sessionFactory, PrintStream err, Guard guard) {
        this(command, opts, sessionFactory, err, () -> guard);
    }

    /**
     * @param guardLoader yields the guard (or null) once the server is spawned, so loading a
     *                    policy overlaps the server's start-up; nothing is forwarded before it
     *                    returns. If it throws, the server is stopped and the exception rethrown.
     */
    public StdioProxy(List<String> command, ProxyOptions opts, SessionOpener sessionFactory, PrintStream err,
                      java.util.concurrent.Callable<Guard> guardLoader) {
        this(command, opts, sessionFactory, err, (Loader) () -> new Checkpoint(guardLoader.call()));
    }

    /** What yields the checkpoint (a distinct type: a {@code Callable<Guard>} constructor exists beside it). */
    private interface Loader extends java.util.concurrent.Callable<Checkpoint> {
    }

    private StdioProxy(List<String> command, ProxyOptions opts, SessionOpener sessionFactory, PrintStream err, Loader loader) {
        this.checkpointLoader = loader;
        this.command = List.copyOf(command);
        this.opts = opts;
        this.sessionOpenerFn = sessionFactory;
        this.err = err;
    }

    /**
     * @param checkpointLoader yields the checkpoint every client message passes (a
     *                         {@link Checkpoint#refusingAll} one when the configuration is broken), as
     *                         the guard loader does
     */
    public static StdioProxy judgedBy(List<String> command, ProxyOptions opts, SessionOpener sessionFactory, PrintStream err,
                                      java.util.concurrent.Callable<Checkpoint> checkpointLoader) {
        return new StdioProxy(command, opts, sessionFactory, err, (Loader) checkpointLoader::call);
    }

    /**
     * Adds an inline watch, loaded like the guard once the server is spawned (null from the
     * loader: none). A loader that throws stops the server and the exception is rethrown.
     */
    public StdioProxy watch(Callable<InlineWatch> loader) {
        this.watchLoader = loader;
        return this;
    }

    /**
     * Work that must finish before the JVM goes when a signal ends the session (the proxy halts
     * from its shutdown hook, so nothing after {@link #run} runs then): delivering what the
     * session wrote to an exporter, say. Runs after the trace is final.
     */
    public StdioProxy onSignalEnd(Runnable last) {
        this.onSignalEnd = last;
        return this;
    }

    /**
     * Runs until the session ends and returns the exit code to exit with: the child's, 127 when
     * it cannot be started.
     */
    public int run(InputStream clientIn, OutputStream clientOut) {
        Spawned server = spawned != null ? spawned : spawn(command);
        startNanos = server.nanos;
        recorder = new WireRecorder();
        child = server.process;
        if (server.failure != null) {
            IOException e = server.failure;
            err.println("agent-trace: cannot start the server '" + String.join(" ", command) + "': "
                    + e.getMessage() + ". Check the command after '--' (is it installed and on PATH?).");
            recorder.problem(Direction.SERVER_TO_CLIENT, "spawn_failed", "cannot start the server: " + e.getMessage(), (String) null);
            openSession(-1);
            finish(127);
            return 127;
        }
        Checkpoint checkpoint;
        InlineWatch iw;
        try {
            checkpoint = checkpointLoader.call();
            iw = watchLoader.call();
        } catch (Exception e) {
            child.destroyForcibly();
            waitForChild();
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
        }
        toServer = new PeerWriter(child.getOutputStream(), opts.serverFraming());
        toClient = new PeerWriter(clientOut, opts.clientFraming());

        WatchedSession watched = null;
        if (iw != null) {
            WireRecorder rec = recorder;
            watched = iw.starter().start(recorder.epochSeconds(startNanos), e -> rec.work(sink -> sink.append(e)));
            WatchedSession w = watched;
            recorder.classifyInline(iw.sessionId(), iw.storeOptions(), w::observe);
            inlineWatch = iw;
            Thread t = new Thread(() -> tick(w), "agent-trace-watch-tick");
            t.setDaemon(true);
            t.start();
            ticker = t;
        }

        Thread hook = new Thread(this::onSignal, "agent-trace-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        // forwarding starts before the trace is open: opening it loads Jackson, which takes longer
        // than the server's own start-up
        Thread c2s = new Thread(new Relay(Direction.CLIENT_TO_SERVER, clientIn, toClient, toServer, toClient,
                opts, recorder, err, this::relayEnded, checkpoint, watched), "agent-trace-c2s");
        c2s.setDaemon(true);
        Thread s2c = new Thread(new Relay(Direction.SERVER_TO_CLIENT, child.getInputStream(), toServer, toClient, toClient,
                opts, recorder, err, this::relayEnded, null, watched), "agent-trace-s2c");
        serverToClient = s2c;
        s2c.start();
        c2s.start();
        long childPid = child.pid();
        Thread opener = new Thread(() -> {
            // opening the store (Jackson, the redactor, the files) takes CPU the server's own
            // start-up needs on a small machine: the client waits for the server's first answer,
            // nothing waits for the store (the relays keep what it must write meanwhile)
            try {
                recorder.serverSpoke.await(OPEN_AFTER_MAX_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            openSession(childPid);
        }, "agent-trace-open");
        opener.setDaemon(true);
        opener.start();
        sessionOpener = opener;

        int code = waitForChild();
        drainServerOutput();
        finish(code);
        try {
            // one run, one hook: a proxy run again in the same JVM (tests, an embedder) adds its own
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: nothing to remove
        }
        return exitCode;
    }

    /** Time alone trips some rules (a hung call, the duration limit): tick four times a second. */
    private void tick(WatchedSession w) {
        while (!finished.get()) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
            w.tick(recorder.epochSeconds(System.nanoTime()));
        }
    }

    private int waitForChild() {
        while (true) {
            try {
                return child.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
    }

    /** After the child exits, what it wrote still reaches the client (a grandchild may hold the pipe: bounded). */
    private void drainServerOutput() {
        Thread t = serverToClient;
        if (t != null) {
            try {
                t.join(Math.max(opts.graceMillis(), 1000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (toClient != null) {
            toClient.flushQuietly();
        }
    }

    private void relayEnded(Direction dir, boolean receiverGone) {
        recorder.serverSpoke.countDown(); // the session is ending: open it now if it is not open yet
        if (dir == Direction.CLIENT_TO_SERVER || receiverGone) {
            // the client closed stdin, or stopped reading our stdout: shut the server down politely
            Thread t = new Thread(this::stopChild, "agent-trace-stop");
            t.setDaemon(true);
            t.start();
        }
    }

    /** Close stdin, wait, SIGTERM (child and descendants), wait, SIGKILL. */
    void stopChild() {
        Process p = child;
        if (p == null || !stopping.compareAndSet(false, true)) {
            return;
        }
        toServer.close();
        try {
            if (p.waitFor(opts.graceMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
            List<ProcessHandle> family = p.descendants().toList();
            p.destroy();
            family.forEach(ProcessHandle::destroy);
            if (p.waitFor(opts.graceMillis(), TimeUnit.MILLISECONDS)) {
                killAll(p.descendants().toList());
                return;
            }
            err.println("agent-trace: the server did not exit " + opts.graceMillis() + " ms after SIGTERM; sending SIGKILL");
            p.destroyForcibly();
            killAll(family);
            p.waitFor(opts.graceMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    private static void killAll(List<ProcessHandle> family) {
        for (ProcessHandle h : family) {
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
    }

    /** SIGTERM or SIGINT to the proxy (or System.exit elsewhere): end as if the client had closed stdin. */
    private void onSignal() {
        if (finished.get()) {
            return;
        }
        stopChild();
        Process p = child;
        int code = waitForChild();
        drainServerOutput();
        finish(p == null ? 143 : code);
        try {
            onSignalEnd.run();
        } catch (RuntimeException e) {
            err.println("agent-trace: " + e.getMessage());
        }
        Runtime.getRuntime().halt(exitCode);
    }

    private void openSession(long childPid) {
        SessionWriter w;
        try {
            w = sessionOpenerFn.open(childPid, recorder.epochSeconds(startNanos));
        } catch (RuntimeException e) {
            err.println("agent-trace: tracing is off for this session (" + e.getMessage() + "); forwarding continues");
            w = null;
        }
        if (w != null) {
            double ts = recorder.epochSeconds(startNanos);
            // session_start goes first, ahead of anything the relays queued while the store opened
            w.submit(sink -> {
                ObjectNode data = sink.newData();
                ArrayNode cmd = data.putArray("command");
                command.forEach(cmd::add);
                data.put("mode", "stdio");
                data.put("proxy_pid", ProcessHandle.current().pid());
                ProcessHandle.current().parent().ifPresent(ph -> data.put("agent_pid", ph.pid()));
                if (childPid > 0) {
                    data.put("child_pid", childPid);
                }
                data.put("max_message_bytes", opts.maxMessageBytes());
                sink.append(new TraceEvent(EventTypes.SESSION_START, ts, sink.newEventId(), sink.sessionId(), null, null, data));
            }, 512);
        }
        recorder.attach(w);
    }

    private void finish(int code) {
        synchronized (finishLock) {
            if (finished.get()) {
                return;
            }
            exitCode = code;
            long end = System.nanoTime();
            recorder.serverSpoke.countDown();
            Thread opener = sessionOpener;
            if (opener != null) {
                try {
                    opener.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Thread t = ticker;
            if (t != null) {
                t.interrupt();
            }
            InlineWatch iw = inlineWatch;
            if (iw != null) {
                try {
                    iw.actions().close(); // queued alerts reach the trace before session_end
                } catch (Exception e) {
                    err.println("agent-trace: closing the watch: " + e.getMessage());
                }
            }
            SessionWriter writer = recorder.writer();
            double durationMs = Math.round((end - startNanos) / 1e3) / 1e3;
            if (writer != null) {
                recorder.sessionEnd(end, durationMs, data -> {
                    data.put("exit_code", code);
                    if (code > 128 && code < 160) {
                        data.put("signal", code - 128);
                    }
                });
                writer.close(Duration.ofSeconds(5));
            }
            if (toClient != null) {
                toClient.flushQuietly();
            }
            finished.set(true);
        }
    }
}
