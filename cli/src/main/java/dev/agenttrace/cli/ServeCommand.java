package dev.agenttrace.cli;

import dev.agenttrace.hooks.HookService;
import dev.agenttrace.hooks.serve.HookServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code agent-trace serve}: the local endpoint agents' HTTP hooks POST to (recorded, judged, answered). */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Receive coding agents' hooks: record every tool call, judge it with the project's .agent-scope.json and breakers "
                + "before it runs, and answer in the agent's own deny protocol.",
                "Claude Code: {\"type\":\"http\",\"url\":\"http://127.0.0.1:3100/hooks/claude-code\"} (agent-trace setup claude-code writes it).",
                "Runs until interrupted; every open session then gets its session_end."})
final class ServeCommand implements Callable<Integer> {
    @Mixin
    TraceDirOption traceDir;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + HookServer.DEFAULT_PORT,
            description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; anything else exposes the endpoint beyond this machine).")
    String bind;

    @Option(names = "--allow-host", paramLabel = "NAME",
            description = "A host name clients reach serve by besides localhost and 127.0.0.1; any other Host gets 421. Repeatable.")
    List<String> allowHosts = new ArrayList<>();

    @Option(names = "--policy", paramLabel = "FILE",
            description = "The policy for a session whose project has no .agent-scope.json (default: ~/.config/agent-trace/agent-scope.json, when present).")
    Path defaultPolicy;

    @Option(names = "--watch", paramLabel = "FILE",
            description = "The breakers for a session whose project has no .agent-watch.json (default: ~/.config/agent-trace/agent-watch.json, when present).")
    Path defaultWatch;

    @Mixin
    PolicyModeOption policyMode;

    @Option(names = "--redact", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Remove secrets from the trace before it reaches disk (default: on).")
    boolean redact;

    @Option(names = "--max-body-bytes", paramLabel = "BYTES", defaultValue = "" + HookServer.DEFAULT_MAX_BODY_BYTES,
            description = "Largest hook payload (413 beyond; default: ${DEFAULT-VALUE}).")
    int maxBodyBytes;

    @Option(names = "--pause-limit-s", paramLabel = "SECONDS", defaultValue = "540",
            description = "How long a call a pause breaker holds waits for 'agent-trace resume' before it is refused; keep it under the "
                    + "agent's hook timeout (Claude Code: 600 s), or the agent runs the tool anyway (default: ${DEFAULT-VALUE}).")
    long pauseLimit;

    @Option(names = "--session-idle-min", paramLabel = "MINUTES", defaultValue = "120",
            description = "End the trace of a session that sent no hook for this long (an agent killed before SessionEnd; default: ${DEFAULT-VALUE}).")
    long sessionIdle;

    @Option(names = "--live-store", paramLabel = "DIR",
            description = "Another store whose running sessions the live view at / shows (besides serve's own and ~/.agent-traces). Repeatable.")
    List<Path> liveStores = new ArrayList<>();

    @Option(names = "--no-metrics", description = "No Prometheus /metrics on serve's port (default: served, behind the same Host check).")
    boolean noMetrics;

    @Mixin
    OtlpOption otlp;

    @Option(names = "--no-live-view", description = "Serve hooks only: no session list at /, no live reports, no pause/resume/stop controls.")
    boolean noLiveView;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new UserError("--port " + port + " is not a port: use 1-65535 (or 0 for any free port)");
        }
        if (maxBodyBytes < 1024) {
            throw new UserError("--max-body-bytes must be at least 1024");
        }
        if (pauseLimit < 1) {
            throw new UserError("--pause-limit-s must be at least 1");
        }
        for (Path p : new Path[] {defaultPolicy, defaultWatch}) {
            if (p != null && !java.nio.file.Files.isRegularFile(p)) {
                throw new UserError(p + ": no such file; give an existing policy or watch file, or drop the option");
            }
        }
        Path dir = traceDir.resolve();
        var mode = policyMode.mode();
        java.util.LinkedHashSet<Path> dirs = new java.util.LinkedHashSet<>();
        dirs.add(dir.toAbsolutePath().normalize());
        for (Path p : liveStores) {
            if (!java.nio.file.Files.isDirectory(p)) {
                throw new UserError("--live-store " + p + ": no such directory; give a trace store (a directory of sessions)");
            }
            dirs.add(p.toAbsolutePath().normalize());
        }
        Path home = Path.of(System.getProperty("user.home"), dev.agenttrace.store.TraceStore.DEFAULT_DIR_NAME);
        if (java.nio.file.Files.isDirectory(home)) {
            dirs.add(home.toAbsolutePath().normalize());
        }
        List<dev.agenttrace.store.TraceStore> known = new ArrayList<>();
        dirs.forEach(d -> known.add(dev.agenttrace.store.TraceStore.at(d)));
        // hook sessions teed to the export; stdio record sessions of the known stores counted as they end
        ServeTelemetry telemetry = ServeTelemetry.start(otlp.endpoint, !noMetrics, known, System.currentTimeMillis(), System.err);
        HookService service = HookService.create(dir, redact, mode, defaultPolicy, defaultWatch, System.err, Duration.ofSeconds(pauseLimit),
                telemetry == null ? null : telemetry.tee()).modeFromCommandLine(policyMode.explicit()).linkMcpCalls(known);
        List<dev.agenttrace.store.TraceStore> live = noLiveView ? List.of() : known;
        HookServer server = new HookServer(service, bind, port, allowHosts, maxBodyBytes, live, noMetrics ? null : telemetry);
        try {
            server.start();
        } catch (Exception e) {
            service.close();
            if (telemetry != null) {
                telemetry.close();
            }
            throw new UserError("cannot listen on " + bind + ":" + port + " (" + e.getMessage() + "); is another serve running? "
                    + "(curl " + "http://127.0.0.1:" + port + "/health) or pick another --port");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close(); // every open session gets its end
            if (telemetry != null) {
                telemetry.close(); // then what they wrote is delivered
            }
        }, "agent-trace-serve-shutdown"));
        long idleMillis = Duration.ofMinutes(sessionIdle).toMillis();
        if (idleMillis > 0) {
            Thread sweeper = new Thread(() -> {
                while (true) {
                    try {
                        Thread.sleep(Math.min(60_000, Math.max(1_000, idleMillis / 4)));
                    } catch (InterruptedException e) {
                        return;
                    }
                    service.endIdle(idleMillis);
                }
            }, "agent-trace-serve-idle");
            sweeper.setDaemon(true);
            sweeper.start();
        }
        System.err.println("agent-trace: serving hooks at " + server.baseUrl() + "/hooks/<agent> (" + mode.name().toLowerCase(Locale.ROOT)
                + "; traces in " + dir + ")" + (live.isEmpty() ? "" : "; live view at " + server.baseUrl() + "/")
                + (noMetrics ? "" : "; metrics at " + server.baseUrl() + "/metrics"));
        server.awaitClose();
        return ExitCodes.OK;
    }
}
