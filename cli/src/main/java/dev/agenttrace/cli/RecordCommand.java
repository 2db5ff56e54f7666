package dev.agenttrace.cli;

import dev.agenttrace.proxy.stdio.Framing;
import dev.agenttrace.proxy.stdio.ProxyOptions;
import dev.agenttrace.proxy.stdio.StdioProxy;
import dev.agenttrace.rules.Guard;
import dev.agenttrace.rules.inline.Checkpoint;
import dev.agenttrace.rules.LivePolicy;
import dev.agenttrace.rules.PolicyMode;
import dev.agenttrace.rules.watch.AlertActions;
import dev.agenttrace.rules.watch.WatchConfig;
import dev.agenttrace.store.Ids;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.TraceStore;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agent-trace record [options] -- <server command...>}: the line users paste into mcp.json. */
@Command(name = "record", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Run an MCP stdio server behind a byte-exact recording proxy.",
                "Put it in front of the server's command in mcp.json: \"command\": \"agent-trace\", "
                        + "\"args\": [\"record\", \"--\", \"npx\", \"-y\", \"@modelcontextprotocol/server-filesystem\", \".\"]"})
final class RecordCommand implements Callable<Integer> {
    @Mixin
    TraceDirOption traceDir;

    @Option(names = "--name", paramLabel = "NAME", description = "Agent name stored with the session (default: the server command's name).")
    String name;

    @Option(names = "--redact", negatable = true,
            description = "Remove secrets (API keys, tokens, passwords, private keys) from the trace before it reaches disk "
                    + "(default: redact of the config file, else on; --no-redact keeps them). Forwarded traffic is never changed.")
    Boolean redact;

    boolean redact() {
        return redact != null ? redact : Config.get().redact() != null ? Config.get().redact() : true;
    }

    @Option(names = "--max-message-bytes", paramLabel = "BYTES", defaultValue = "" + ProxyOptions.DEFAULT_MAX_MESSAGE_BYTES,
            description = "Largest message forwarded in either direction; a larger one is refused with a JSON-RPC error (default: ${DEFAULT-VALUE}).")
    int maxMessageBytes;

    @Option(names = "--max-payload-bytes", paramLabel = "BYTES", defaultValue = "" + StoreOptions.DEFAULT_MAX_PAYLOAD_BYTES,
            description = "Payloads larger than this are stored as a preview plus size and SHA-256 (default: ${DEFAULT-VALUE}).")
    int maxPayloadBytes;

    @Option(names = "--grace-ms", paramLabel = "MS", defaultValue = "" + ProxyOptions.DEFAULT_GRACE_MILLIS,
            description = "At shutdown: wait this long after closing the server's stdin before SIGTERM, and again before SIGKILL (default: ${DEFAULT-VALUE}).")
    long graceMillis;

    @Option(names = "--client-framing", paramLabel = "FRAMING", description = "Force the framing towards the client: newline or content-length (default: mirror the client).")
    String clientFraming;

    @Option(names = "--server-framing", paramLabel = "FRAMING", description = "Force the framing towards the server: newline or content-length (default: what the server speaks; until it speaks, the client's).")
    String serverFraming;

    @Mixin
    PolicyOptions policy;

    @Mixin
    PolicyModeOption policyMode;

    @Mixin
    WatchOptions watch;

    @Mixin
    OtlpOption otlp;

    @Parameters(paramLabel = "COMMAND", arity = "1..*", description = "The MCP server command and its arguments, after '--'.")
    List<String> command;

    @Override
    public Integer call() {
        if (maxMessageBytes < 1024) {
            throw new UserError("--max-message-bytes " + maxMessageBytes + " is too small: use at least 1024");
        }
        if (maxPayloadBytes < 256) {
            throw new UserError("--max-payload-bytes " + maxPayloadBytes + " is too small: use at least 256");
        }
        ProxyOptions opts = new ProxyOptions(maxMessageBytes, ProxyOptions.DEFAULT_MAX_HEADER_BYTES, graceMillis,
                framing("--client-framing", clientFraming), framing("--server-framing", serverFraming));
        // the client waits for the server's first answer: the server starts now and its start-up
        // overlaps ours (configuration, policy, store); nothing reaches it before the checkpoint is in force
        StdioProxy.Spawned server = StdioProxy.spawn(command);
        try {
            return run(opts, server);
        } catch (RuntimeException | Error e) {
            server.abandon();
            throw e;
        }
    }

    private int run(ProxyOptions opts, StdioProxy.Spawned server) {
        PolicyMode mode = policyMode.mode();
        // the policy loads (Jackson, ~50 ms) while the server starts; nothing is forwarded before it is in force
        java.nio.file.Path policyFile = policy.resolveFile();
        java.util.concurrent.CompletableFuture<LivePolicy> loading = policyFile == null
                ? java.util.concurrent.CompletableFuture.completedFuture(null)
                : java.util.concurrent.CompletableFuture.supplyAsync(() -> policy.loadLive(System.err, policyMode.allowLiveLoosening), runnable -> {
                    Thread t = new Thread(runnable, "agent-trace-policy-load");
                    t.setDaemon(true);
                    t.start();
                });
        StoreOptions storeOpts = StoreOptions.defaults().withRedact(redact()).withMaxPayloadBytes(maxPayloadBytes);
        Path dir = traceDir.forWriting(System.err);
        RetentionCommand.applyInBackground(dir, System.err);
        boolean watching = watch.wanted();
        // events are made before the session is open when watchers run inline: its id is fixed now
        String sessionId = watching ? Ids.sessionId() : null;
        long agent = watch.agentPid > 0 ? watch.agentPid : ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(0L);
        java.util.concurrent.CompletableFuture<WatchConfig> watchLoading = !watching
                ? java.util.concurrent.CompletableFuture.completedFuture(null)
                : java.util.concurrent.CompletableFuture.supplyAsync(watch::load, runnable -> {
                    Thread t = new Thread(runnable, "agent-trace-watch-load");
                    t.setDaemon(true);
                    t.start();
                });

        // stdout carries protocol bytes only: anything else that prints goes to stderr
        FileOutputStream protocolOut = new FileOutputStream(FileDescriptor.out);
        PrintStream err = System.err;
        System.setOut(err);
        otlp.start(err);

        StdioProxy proxy = StdioProxy.judgedBy(command, opts, (childPid, startedAt) -> {
            WatchConfig wc = BrokenConfig.now(watchLoading);
            LivePolicy live = BrokenConfig.now(loading);
            SessionMeta meta = SessionMeta.ofProxy(sessionId, startedAt,
                    name != null ? name : Path.of(command.get(0)).getFileName().toString(), String.join(" ", command))
                    .guardedBy(live == null ? null : live.file().toString(), mode.name().toLowerCase(java.util.Locale.ROOT),
                            wc == null ? null : wc.sources(), agent);
            if (childPid > 0) {
                meta.attribution.put("child_pid", childPid);
            }
            return otlp.store(dir).create(meta, storeOpts);
        }, err, () -> {
            // a policy or watch file that does not parse: enforcement cannot start, so nothing is
            // forwarded, and the client is told why in its answers (IDEs hide a server's stderr)
            String broken = BrokenConfig.of(loading, "policy");
            if (broken == null) {
                broken = BrokenConfig.of(watchLoading, "watch configuration");
            }
            if (broken != null) {
                err.println(broken);
                return Checkpoint.refusingAll(broken);
            }
            LivePolicy live = loading.join();
            if (live == null) {
                return new Checkpoint(null);
            }
            err.println("agent-trace: " + mode.name().toLowerCase(java.util.Locale.ROOT) + " " + live.firewall().describe());
            return new Checkpoint(new Guard(live, mode));
        });
        proxy.watch(() -> {
            if (BrokenConfig.of(watchLoading, "watch configuration") != null) {
                return null;
            }
            WatchConfig config = join(watchLoading);
            if (config == null) {
                return null;
            }
            WatchOptions.announce(config, err);
            AlertActions actions = WatchOptions.actions(config, dir);
            Path root = policy.context(null).root();
            return new StdioProxy.InlineWatch(sessionId, storeOpts, (startedAt, recorder) ->
                    WatchOptions.session(config, actions, sessionId, startedAt, root, dir, agent, recorder), actions);
        });
        proxy.onSignalEnd(otlp::close);
        proxy.startedAs(server);
        int code = proxy.run(new FileInputStream(FileDescriptor.in), protocolOut);
        otlp.close();
        return code;
    }

    private static <T> T join(java.util.concurrent.CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private static Framing framing(String option, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Framing.parse(value);
        } catch (IllegalArgumentException e) {
            throw new UserError(option + ": " + e.getMessage());
        }
    }
}
