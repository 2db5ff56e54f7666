package dev.agenttrace.export.otlp;

import dev.agenttrace.export.span.SpanAssembler;
import dev.agenttrace.export.span.SpanRecord;
import dev.agenttrace.store.EventListener;
import dev.agenttrace.store.EventTee;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceEvent;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporterBuilder;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporterBuilder;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporterBuilder;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Live OpenTelemetry export of what a proxy records: an {@link EventListener} on the store's
 * tee, fed on the tee's thread, that assembles spans ({@link SpanAssembler}) and ships them with
 * the SDK's OTLP exporters (http/protobuf or grpc), and records the metrics from the same spans.
 *
 * <pre>
 *   writer loop --&gt; EventTee --&gt; LiveExport --&gt; SpanAssembler --&gt; SpanShipper --&gt; OTLP traces
 *                                                             '--&gt; SpanMetrics --&gt; OTLP metrics (and /metrics)
 * </pre>
 *
 * <p>The public API names no OpenTelemetry type: the CLI reaches this class only when export is
 * on, so nothing of the SDK loads otherwise.
 */
public final class LiveExport implements EventListener {
    /** The SDK's exporters log every failed export through java.util.logging; we count them instead. */
    private static final Logger SDK_LOG = Logger.getLogger("io.opentelemetry");

    private final boolean captureContent;
    private final SpanShipper shipper;
    private final SdkMeterProvider meters;
    private final SpanMetrics metrics;
    private final Resource resource;
    private final DropReport report;
    private final PrintStream err;
    private final CountingMetricExporter metricExporter;
    private final Map<String, SpanAssembler> sessions = new HashMap<>();
    /** Sessions open now, and those whose breaker is open (a trip that blocked, paused or killed, no resume since): read by scrapes. */
    private final java.util.concurrent.atomic.AtomicLong active = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.Set<String> breakersOpen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Consumer<SpanRecord> sink;
    private volatile EventTee tee;

    /**
     * Spans waiting for the collector, at most (about 1 KB each). A pipelined flood through stdio
     * record (68,000 calls/s) outruns one exporter by about 14,000 spans at its peak: 8,192 lost
     * 5,792 of 121,001 spans in one round of bench/otlp/run; what a collector that is down costs is
     * still bounded, to about 32 MB.
     */
    static final int SPAN_QUEUE = 32_768;

    private LiveExport(OtelConfig config, PrintStream err, List<MetricReader> extraReaders) {
        SDK_LOG.setLevel(Level.OFF);
        this.err = err;
        this.captureContent = config.captureContent();
        this.report = new DropReport(err, config.tracesEndpoint());
        this.resource = resource(config);
        this.shipper = config.traces()
                ? new SpanShipper(spanExporter(config), SPAN_QUEUE, 2_048, Duration.ofMillis(500), config.timeout(), report) : null;
        SdkMeterProviderBuilder mb = SdkMeterProvider.builder().setResource(resource);
        if (config.metrics()) {
            metricExporter = new CountingMetricExporter(metricExporter(config), report);
            mb.registerMetricReader(PeriodicMetricReader.builder(metricExporter).setInterval(config.metricInterval()).build());
        } else {
            metricExporter = null;
        }
        extraReaders.forEach(mb::registerMetricReader);
        this.meters = mb.build();
        this.metrics = new SpanMetrics(meters, this::dropped);
        metrics.sessionGauges(active::get, () -> breakersOpen.size());
        this.sink = span -> {
            if (shipper != null) {
                shipper.add(SpanDataAdapter.toSpanData(span, resource));
            }
            metrics.record(span);
        };
    }

    /**
     * Starts the export and returns the tee to hand to {@code TraceStore.teeTo}; close the tee
     * (after the proxy's sessions closed) to flush and stop it.
     */
    public static EventTee start(OtelConfig config, PrintStream err) {
        return start(config, err, null);
    }

    /**
     * The same, with {@code metrics} (a Prometheus {@code /metrics} endpoint) also fed; {@code config}
     * may then be null for no OTLP at all.
     */
    public static EventTee start(OtelConfig config, PrintStream err, dev.agenttrace.export.prometheus.MetricsEndpoint metrics) {
        LiveExport export = create(config, err, metrics);
        EventTee tee = new EventTee(export, EventTee.DEFAULT_CAPACITY, "agent-trace-export");
        export.attach(tee);
        return tee;
    }

    /**
     * The export as a listener, for a caller that makes the tee itself ({@code serve} makes its tee
     * at once and this on a thread of its own, so it listens before the SDK has loaded); hand the
     * tee to {@link #attach} so its drops are counted. {@code config} may be null for no OTLP.
     */
    public static LiveExport create(OtelConfig config, PrintStream err, dev.agenttrace.export.prometheus.MetricsEndpoint metrics) {
        OtelConfig c = config;
        if (c == null) { // no collector: the resource still follows OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES
            Map<String, String> env = new HashMap<>(System.getenv());
            env.put("OTEL_TRACES_EXPORTER", "none");
            env.put("OTEL_METRICS_EXPORTER", "none");
            env.remove("OTEL_EXPORTER_OTLP_ENDPOINT");
            env.remove("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
            env.remove("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
            env.remove("OTEL_EXPORTER_OTLP_PROTOCOL");
            env.remove("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL");
            c = OtelConfig.from(env, null);
        }
        return new LiveExport(c, err, metrics == null ? List.of() : List.of(metrics.reader()));
    }

    /** The tee that feeds this export: its drops count as dropped telemetry. */
    public void attach(EventTee tee) {
        this.tee = tee;
    }

    /**
     * A session some other process recorded (a short-lived {@code record} that ended while
     * {@code serve} ran), read back from its files: its metrics are recorded as if it had been
     * seen live; no span of it is exported (its own recorder exports them when it was told to).
     * Safe on any thread.
     */
    public void countEnded(dev.agenttrace.store.TraceStore store, SessionMeta meta) {
        SpanAssembler a = new SpanAssembler(metrics::record, false);
        a.start(meta);
        var read = store.readEventsAndMessages(meta.sessionId);
        for (TraceEvent e : read.events()) {
            a.accept(e, dev.agenttrace.store.EventTypes.MCP_MESSAGE.equals(e.eventType()));
        }
        a.finish(meta);
    }

    /** Everything dropped so far: tee queue, span queue, failed span and metric exports. */
    long dropped() {
        EventTee t = tee;
        return (t == null ? 0 : t.dropped()) + (shipper == null ? 0 : shipper.dropped())
                + (metricExporter == null ? 0 : metricExporter.dropped());
    }

    @Override
    public void sessionStarted(SessionMeta meta) {
        SpanAssembler a = new SpanAssembler(sink, captureContent);
        a.start(meta);
        if (sessions.put(meta.sessionId, a) == null) {
            active.incrementAndGet();
        }
    }

    @Override
    public void event(TraceEvent event, boolean sidecar) {
        SpanAssembler a = sessions.get(event.sessionId());
        if (a == null) {
            a = new SpanAssembler(sink, captureContent);
            sessions.put(event.sessionId(), a);
            active.incrementAndGet();
        }
        a.accept(event, sidecar);
        if (!sidecar && dev.agenttrace.store.EventTypes.DECISION.equals(event.eventType()) && event.data() != null) {
            String kind = event.data().path("kind").asText("");
            String choice = event.data().path("choice").asText("");
            if (kind.equals("alert") && (choice.equals("block") || choice.equals("pause") || choice.equals("kill"))) {
                breakersOpen.add(event.sessionId());
            } else if (kind.equals("resume")) {
                breakersOpen.remove(event.sessionId());
            }
        }
    }

    @Override
    public void metaChanged(SessionMeta meta) {
        SpanAssembler a = sessions.get(meta.sessionId);
        if (a != null) {
            a.meta(meta);
        }
    }

    @Override
    public void sessionEnded(SessionMeta meta) {
        SpanAssembler a = sessions.remove(meta.sessionId);
        breakersOpen.remove(meta.sessionId);
        if (a != null) {
            active.decrementAndGet();
            a.finish(meta);
        }
        if (sessions.isEmpty()) {
            flush(); // a stdio proxy exits right after its session ends; the writer's close waits for this
        }
    }

    /** Sends what was made so far, bounded: a collector that hangs costs these seconds at most. */
    private void flush() {
        if (shipper != null) {
            shipper.flush(Duration.ofSeconds(2));
        }
        meters.forceFlush().join(2, TimeUnit.SECONDS);
        reportDrops();
    }

    private long reported;

    /** One line with the count when something new was dropped (a stdio proxy: once, at its end). */
    private void reportDrops() {
        long lost = dropped();
        if (lost > reported) {
            reported = lost;
            err.println("agent-trace: OpenTelemetry export dropped " + lost + " item(s) in all"
                    + (shipper == null ? "" : "; " + shipper.exported() + " span(s) were delivered"));
        }
    }

    @Override
    public void close() {
        for (SpanAssembler a : sessions.values()) {
            a.finish(null);
        }
        sessions.clear();
        active.set(0);
        breakersOpen.clear();
        if (shipper != null) {
            shipper.close(Duration.ofSeconds(3));
        }
        meters.forceFlush().join(3, TimeUnit.SECONDS);
        meters.shutdown().join(1, TimeUnit.SECONDS);
        reportDrops();
    }

    static Resource resource(OtelConfig config) {
        AttributesBuilder b = Attributes.builder();
        config.resourceAttributes().forEach(b::put);
        b.put("service.name", config.serviceName());
        if (!config.resourceAttributes().containsKey("service.version")) {
            b.put("service.version", Version.VALUE);
        }
        return Resource.getDefault().merge(Resource.create(b.build()));
    }

    static SpanExporter spanExporter(OtelConfig c) {
        if (c.grpc()) {
            OtlpGrpcSpanExporterBuilder b = OtlpGrpcSpanExporter.builder().setEndpoint(c.tracesEndpoint())
                    .setTimeout(c.timeout()).setRetryPolicy(null);
            c.headers().forEach(b::addHeader);
            return b.build();
        }
        OtlpHttpSpanExporterBuilder b = OtlpHttpSpanExporter.builder().setEndpoint(c.tracesEndpoint())
                .setTimeout(c.timeout()).setRetryPolicy(null);
        c.headers().forEach(b::addHeader);
        return b.build();
    }

    static MetricExporter metricExporter(OtelConfig c) {
        if (c.grpc()) {
            OtlpGrpcMetricExporterBuilder b = OtlpGrpcMetricExporter.builder().setEndpoint(c.metricsEndpoint())
                    .setTimeout(c.timeout()).setRetryPolicy(null);
            c.headers().forEach(b::addHeader);
            return b.build();
        }
        OtlpHttpMetricExporterBuilder b = OtlpHttpMetricExporter.builder().setEndpoint(c.metricsEndpoint())
                .setTimeout(c.timeout()).setRetryPolicy(null);
        c.headers().forEach(b::addHeader);
        return b.build();
    }
}
