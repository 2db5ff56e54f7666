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
    private final Consumer<SpanRecord> sink;
    private volatile EventTee tee;

    private LiveExport(OtelConfig config, PrintStream err, List<MetricReader> extraReaders) {
        SDK_LOG.setLevel(Level.OFF);
        this.err = err;
        this.captureContent = config.captureContent();
        this.report = new DropReport(err, config.tracesEndpoint());
        this.resource = resource(config);
        this.shipper = config.traces()
                ? new SpanShipper(spanExporter(config), 8_192, 512, Duration.ofMillis(500), config.timeout(), report) : null;
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
        LiveExport export = new LiveExport(c, err, metrics == null ? List.of() : List.of(metrics.reader()));
        EventTee tee = new EventTee(export, EventTee.DEFAULT_CAPACITY, "agent-trace-export");
        export.tee = tee;
        return tee;
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
        sessions.put(meta.sessionId, a);
    }

    @Override
    public void event(TraceEvent event, boolean sidecar) {
        SpanAssembler a = sessions.get(event.sessionId());
        if (a == null) {
            a = new SpanAssembler(sink, captureContent);
            sessions.put(event.sessionId(), a);
        }
        a.accept(event, sidecar);
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
        if (a != null) {
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
