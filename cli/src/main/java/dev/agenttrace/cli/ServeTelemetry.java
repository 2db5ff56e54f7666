package dev.agenttrace.cli;

import dev.agenttrace.export.otlp.EndedRecordSessions;
import dev.agenttrace.export.otlp.LiveExport;
import dev.agenttrace.export.otlp.OtelConfig;
import dev.agenttrace.export.prometheus.MetricsEndpoint;
import dev.agenttrace.hooks.serve.HookServer;
import dev.agenttrace.store.EventListener;
import dev.agenttrace.store.EventTee;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceStore;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code serve}'s telemetry: its hook sessions teed to the live export (OTLP when a collector is
 * named, like {@code record}'s), {@code /metrics} on serve's own port fed by the same instruments,
 * and the stdio {@code record} sessions that end while serve runs counted there too
 * ({@link EndedRecordSessions}).
 *
 * <p>The tee exists at once, so the first hook is seen; the SDK loads on a thread of its own
 * meanwhile (the tee's queue holds what comes before, and {@code /metrics} answers 503 until then).
 */
final class ServeTelemetry implements HookServer.MetricsPage, AutoCloseable {
    private final EventTee tee;
    /** Set once the export started with {@code /metrics} on. */
    private volatile MetricsEndpoint served;
    private final CompletableFuture<LiveExport> starting;
    private volatile EndedRecordSessions records;

    private ServeTelemetry(OtelConfig config, boolean metrics, List<TraceStore> followed, long sinceMillis, PrintStream err) {
        starting = CompletableFuture.supplyAsync(() -> {
            MetricsEndpoint page = metrics ? new MetricsEndpoint() : null;
            LiveExport export = LiveExport.create(config, err, page);
            served = page;
            if (metrics) {
                records = new EndedRecordSessions(followed, export, sinceMillis).start(2_000);
            }
            return export;
        }, r -> {
            Thread t = new Thread(r, "agent-trace-otlp-start");
            t.setDaemon(true);
            t.start();
        });
        tee = new EventTee(new Deferred(starting), EventTee.DEFAULT_CAPACITY, "agent-trace-export");
        starting.whenComplete((export, failure) -> {
            if (failure != null) {
                err.println("agent-trace: OpenTelemetry export and /metrics are off (" + failure.getCause() + "); serving continues");
            } else {
                export.attach(tee);
            }
        });
    }

    /**
     * The telemetry serve was asked for, or null for none: OTLP when {@code otlpEndpoint} or the
     * {@code OTEL_*} variables name a collector, {@code /metrics} unless {@code metrics} is false.
     */
    static ServeTelemetry start(String otlpEndpoint, boolean metrics, List<TraceStore> followed, long sinceMillis, PrintStream err) {
        boolean otlp = OtelConfig.wanted(System.getenv(), otlpEndpoint);
        if (!otlp && !metrics) {
            return null;
        }
        OtelConfig config;
        try {
            config = otlp ? OtelConfig.from(System.getenv(), otlpEndpoint) : null;
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        return new ServeTelemetry(config, metrics, followed, sinceMillis, err);
    }

    EventTee tee() {
        return tee;
    }

    @Override
    public String contentType() {
        MetricsEndpoint e = served;
        return e == null ? "text/plain" : e.contentType();
    }

    @Override
    public byte[] scrape() throws Exception {
        if (!starting.isDone()) {
            return null;
        }
        if (starting.isCompletedExceptionally()) {
            throw new IllegalStateException("the export did not start: " + starting.handle((v, t) -> t).join());
        }
        MetricsEndpoint e = served;
        return e == null ? null : e.scrape();
    }

    /** After serve's sessions ended: delivers what they wrote and stops. */
    @Override
    public void close() {
        EndedRecordSessions r = records;
        if (r != null) {
            r.close();
        }
        tee.close(Duration.ofSeconds(8));
    }

    /** The export, once loaded: the tee's thread waits for it (the queue holds what comes meanwhile). */
    private static final class Deferred implements EventListener {
        private final CompletableFuture<LiveExport> export;

        Deferred(CompletableFuture<LiveExport> export) {
            this.export = export;
        }

        private LiveExport get() {
            return export.join(); // a failed start throws: the tee counts the item as dropped
        }

        @Override
        public void sessionStarted(SessionMeta meta) {
            get().sessionStarted(meta);
        }

        @Override
        public void event(TraceEvent event, boolean sidecar) {
            get().event(event, sidecar);
        }

        @Override
        public void metaChanged(SessionMeta meta) {
            get().metaChanged(meta);
        }

        @Override
        public void sessionEnded(SessionMeta meta) {
            get().sessionEnded(meta);
        }

        @Override
        public void close() {
            if (export.isDone() && !export.isCompletedExceptionally()) {
                export.join().close();
            }
        }
    }
}
