package dev.agenttrace.cli;

import dev.agenttrace.proxy.http.HttpProxy;
import dev.agenttrace.proxy.http.HttpProxyOptions;
import dev.agenttrace.proxy.http.Transport;
import dev.agenttrace.rules.Guard;
import dev.agenttrace.rules.inline.Checkpoint;
import dev.agenttrace.rules.watch.AlertActions;
import dev.agenttrace.rules.watch.WatchConfig;
import dev.agenttrace.proxy.http.InlineWatch;
import dev.agenttrace.rules.LivePolicy;
import dev.agenttrace.rules.PolicyMode;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.TraceStore;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agent-trace record-http <upstream-url>}: a recording, firewalled proxy for a remote MCP server. */
@Command(name = "record-http", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Relay a remote MCP server (Streamable HTTP or legacy HTTP+SSE) through a local recording proxy.",
                "The proxy serves the upstream's path on its own port: in mcp.json change only host and port, "
                        + "e.g. https://mcp.example.com/mcp -> http://localhost:3100/mcp.",
                "Runs until interrupted (Ctrl-C or SIGTERM); every session then gets its session_end."})
final class RecordHttpCommand implements Callable<Integer> {
    @Mixin
    TraceDirOption traceDir;

    @Parameters(index = "0", paramLabel = "UPSTREAM-URL",
            description = "The endpoint a client would use: http(s)://host:port/mcp (Streamable HTTP) or .../sse (legacy).")
    String upstream;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + HttpProxyOptions.DEFAULT_PORT,
            description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; anything else exposes the proxy beyond this machine).")
    String bind;

    @Option(names = "--allow-host", paramLabel = "NAME",
            description = "A host name clients reach the proxy by besides localhost and 127.0.0.1 (its LAN name when --bind exposes it); "
                    + "accepted in Host and Origin. Repeatable. Any other Host gets 421 (DNS rebinding).")
    java.util.List<String> allowHosts = new java.util.ArrayList<>();

    @Option(names = "--transport", paramLabel = "T",
            description = "What the upstream speaks: streamable or sse (default: find out; a GET whose event stream opens with "
                    + "an 'endpoint' event is legacy SSE, the rest Streamable HTTP).")
    String transport;

    @Option(names = "--name", paramLabel = "NAME", description = "Agent name stored with each session (default: the upstream's host).")
    String name;

    @Option(names = "--redact", negatable = true,
            description = "Remove secrets from the trace before it reaches disk (default: on). Authorization and cookies are never stored.")
    Boolean redact;

    boolean redact() {
        return redact != null ? redact : Config.get().redact() != null ? Config.get().redact() : true;
    }

    @Option(names = "--max-body-bytes", paramLabel = "BYTES", defaultValue = "" + HttpProxyOptions.DEFAULT_MAX_BODY_BYTES,
            description = "Largest request body (413 beyond) and largest SSE event (default: ${DEFAULT-VALUE}).")
    int maxBodyBytes;

    @Option(names = "--max-header-bytes", paramLabel = "BYTES", defaultValue = "" + HttpProxyOptions.DEFAULT_MAX_HEADER_BYTES,
            description = "Largest request header block (431 beyond; default: ${DEFAULT-VALUE}).")
    int maxHeaderBytes;

    @Option(names = "--upstream-timeout-ms", paramLabel = "MS", defaultValue = "" + HttpProxyOptions.DEFAULT_UPSTREAM_TIMEOUT_MILLIS,
            description = "The upstream must start answering within this long, and a JSON body may not pause longer (504; default: ${DEFAULT-VALUE}).")
    long upstreamTimeout;

    @Option(names = "--stream-idle-ms", paramLabel = "MS", defaultValue = "" + HttpProxyOptions.DEFAULT_STREAM_IDLE_MILLIS,
            description = "End a POST's event stream that is silent this long, with a JSON-RPC error for the call; 0: never (default). "
                    + "GET streams never time out.")
    long streamIdle;

    @Option(names = "--request-idle-ms", paramLabel = "MS", defaultValue = "" + HttpProxyOptions.DEFAULT_REQUEST_IDLE_MILLIS,
            description = "Close a client connection idle this long between requests or in the middle of one (default: ${DEFAULT-VALUE}).")
    long requestIdle;

    @Option(names = "--session-idle-ms", paramLabel = "MS", defaultValue = "" + HttpProxyOptions.DEFAULT_SESSION_IDLE_MILLIS,
            description = "End the trace of a Streamable HTTP session with no traffic and no open stream for this long "
                    + "(clients rarely send DELETE); later traffic starts a new trace; 0: never (default: ${DEFAULT-VALUE}).")
    long sessionIdle;

    @Mixin
    PolicyOptions policy;

    @Mixin
    WatchOptions watch;

    @Mixin
    PolicyModeOption policyMode;

    /** Runs {@code load} now; its failure is kept in the future, for {@link BrokenConfig}. */
    private static <T> java.util.concurrent.CompletableFuture<T> attempt(java.util.function.Supplier<T> load) {
        try {
            return java.util.concurrent.CompletableFuture.completedFuture(load.get());
        } catch (RuntimeException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    @Mixin
    OtlpOption otlp;

    @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "-1",
            description = "Serve Prometheus /metrics (OpenMetrics text) on this port, on --bind's address (0: any free port; default: off).")
    int metricsPort;

    @Override
    public Integer call() throws Exception {
        HttpProxyOptions opts = options();
        PolicyMode mode = policyMode.mode();
        // a policy or watch file that cannot be used: nothing is forwarded, and every request is
        // answered with what to fix (the client shows its answers; its stderr, rarely)
        java.util.concurrent.CompletableFuture<LivePolicy> loadingPolicy = attempt(() -> policy.loadLive(System.err, policyMode.allowLiveLoosening));
        java.util.concurrent.CompletableFuture<WatchConfig> loadingWatch = attempt(() -> watch.wanted() ? watch.load() : null);
        String broken = BrokenConfig.of(loadingPolicy, "policy");
        if (broken == null) {
            broken = BrokenConfig.of(loadingWatch, "watch configuration");
        }
        LivePolicy live = BrokenConfig.now(loadingPolicy);
        Checkpoint checkpoint;
        if (broken != null) {
            System.err.println(broken);
            checkpoint = Checkpoint.refusingAll(broken);
        } else {
            checkpoint = new Checkpoint(live == null ? null : new Guard(live, mode));
        }
        StoreOptions storeOpts = StoreOptions.defaults().withRedact(redact());
        Path dir = traceDir.forWriting(System.err);
        RetentionCommand.applyInBackground(dir, System.err);
        WatchConfig watchConfig = broken == null ? BrokenConfig.now(loadingWatch) : null;
        URI up = opts.upstream();
        String agent = name != null ? name : up.getHost();
        if (metricsPort > 65535 || metricsPort < -1) {
            throw new UserError("--metrics-port " + metricsPort + " is not a port: use 1-65535 (or 0 for any free port)");
        }
        MetricsPort metrics = metricsPort >= 0 ? new MetricsPort(bind, metricsPort) : null;
        otlp.start(System.err, metrics);
        HttpProxy proxy = HttpProxy.judgedBy(opts, checkpoint, start -> {
            SessionMeta meta = SessionMeta.ofProxy(start.sessionId(), start.startedAt(), agent, "http-proxy -> " + up)
                    .guardedBy(live == null ? null : live.file().toString(), mode.name().toLowerCase(Locale.ROOT),
                            watchConfig == null ? null : watchConfig.sources(), watchConfig == null ? 0 : watch.agentPid);
            meta.attribution.put("transport", start.transport().label());
            meta.attribution.put("remote_url", up.toString());
            meta.attribution.put("local_port", start.localPort());
            return otlp.store(dir).create(meta, storeOpts);
        }, System.err);
        if (watchConfig != null) {
            WatchOptions.announce(watchConfig, System.err);
            AlertActions actions = WatchOptions.actions(watchConfig, dir);
            Path root = policy.context(null).root();
            // the agent of a remote-server session is not this process's parent: pause and kill need --agent-pid
            proxy.watch(new InlineWatch(storeOpts, (sessionId, startedAt, recorder) ->
                    WatchOptions.session(watchConfig, actions, sessionId, startedAt, root, dir, watch.agentPid, recorder), actions));
        }
        try {
            proxy.start();
        } catch (Exception e) {
            throw new UserError("cannot listen on " + bind + ":" + port + " (" + e.getMessage() + "); pick another --port");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            proxy.close();
            otlp.close(); // after every session's end is written
        }, "agent-trace-http-shutdown"));
        if (checkpoint.guard() != null) {
            System.err.println("agent-trace: " + mode.name().toLowerCase(Locale.ROOT) + " " + live.firewall().describe());
        }
        String transportLabel = opts.transport() == null ? "detected per stream" : opts.transport().label();
        if (!isLoopback(bind) && allowHosts.isEmpty()) {
            System.err.println("agent-trace: listening on " + bind + ", but only requests addressed to localhost or 127.0.0.1 are served; "
                    + "add --allow-host NAME for each name other machines use");
        }
        System.err.println("agent-trace: recording " + proxy.localUrl() + " -> " + up + " (transport: " + transportLabel
                + "; traces in " + dir + ")");
        proxy.awaitClose();
        otlp.close();
        return ExitCodes.OK;
    }

    HttpProxyOptions options() {
        Transport t = null;
        if (transport != null) {
            try {
                t = Transport.parse(transport);
            } catch (IllegalArgumentException e) {
                throw new UserError("--transport " + e.getMessage());
            }
        }
        try {
            HttpProxyOptions o = HttpProxyOptions.defaults(HttpProxyOptions.upstreamUrl(upstream)).withPort(port).withBind(bind)
                    .withAllowedHosts(allowHosts).withLimits(maxBodyBytes, maxHeaderBytes)
                    .withTimeouts(requestIdle, upstreamTimeout, streamIdle).withSessionIdle(sessionIdle);
            return t == null ? o : o.withTransport(t);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }

    private static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]");
    }
}
