package dev.agenttrace.cli;

import dev.agenttrace.export.otlp.LiveExport;
import dev.agenttrace.export.otlp.OtelConfig;
import dev.agenttrace.store.EventTee;
import dev.agenttrace.store.TraceStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Option;

/**
 * Live OpenTelemetry export for the recording commands: {@code --otlp-endpoint URL}, or the
 * standard {@code OTEL_*} variables. Off unless an endpoint is named; then, and only then, the
 * SDK loads, on a thread of its own while the proxy starts ({@link LiveExport} is touched by
 * nothing else in the CLI, so with export off no OpenTelemetry class is loaded).
 */
final class OtlpOption {
    @Option(names = "--otlp-endpoint", paramLabel = "URL",
            description = "Export traces and metrics live over OTLP to this collector (e.g. http://localhost:4318); "
                    + "the standard OTEL_EXPORTER_OTLP_* and OTEL_SERVICE_NAME/OTEL_RESOURCE_ATTRIBUTES variables work too.")
    String endpoint;

    private volatile CompletableFuture<EventTee> starting;

    /** Starts the export when it is wanted; a bad variable is a {@link UserError} now, not later. */
    void start(PrintStream err) {
        start(err, null);
    }

    /**
     * The same; with {@code metrics} (record-http's {@code /metrics}) the export runs even without
     * a collector, to feed it.
     */
    void start(PrintStream err, MetricsPort metrics) {
        boolean otlp = OtelConfig.wanted(System.getenv(), endpoint);
        if (!otlp && metrics == null) {
            return;
        }
        OtelConfig config;
        try {
            config = otlp ? OtelConfig.from(System.getenv(), endpoint) : null;
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        dev.agenttrace.export.prometheus.MetricsEndpoint served;
        try {
            served = metrics == null ? null : metrics.start(err);
        } catch (java.io.UncheckedIOException e) {
            throw new UserError(e.getMessage());
        }
        starting = CompletableFuture.supplyAsync(() -> LiveExport.start(config, err, served), r -> {
            Thread t = new Thread(r, "agent-trace-otlp-start");
            t.setDaemon(true);
            t.start();
        });
    }

    /** The store, teed to the export when it is on. */
    TraceStore store(Path dir) {
        TraceStore store = TraceStore.at(dir);
        EventTee tee = tee();
        return tee == null ? store : store.teeTo(tee);
    }

    /** Delivers what the sessions wrote and stops the export (after the sessions closed). */
    synchronized void close() {
        EventTee tee = tee();
        starting = null;
        if (tee != null) {
            tee.close(Duration.ofSeconds(8));
        }
    }

    private EventTee tee() {
        if (starting == null) {
            return null;
        }
        try {
            return starting.join();
        } catch (CompletionException e) {
            System.err.println("agent-trace: OpenTelemetry export is off (" + e.getCause() + "); recording continues");
            starting = null;
            return null;
        }
    }
}
