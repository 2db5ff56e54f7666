package dev.agenttrace.export.otlp;

import dev.agenttrace.export.span.SpanRecord;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code agent-trace export --format otlp}: stored sessions pushed to a collector, in batches. */
public final class OtlpBackfill {
    private OtlpBackfill() {
    }

    /** Sends every span; returns how many the collector took. A failed batch is reported, not retried. */
    public static long push(OtelConfig config, List<SpanRecord> spans, java.io.PrintStream err) {
        java.util.logging.Logger.getLogger("io.opentelemetry").setLevel(java.util.logging.Level.OFF);
        Resource resource = LiveExport.resource(config);
        SpanExporter exporter = LiveExport.spanExporter(config);
        long sent = 0;
        try {
            for (int i = 0; i < spans.size(); i += 512) {
                List<SpanData> batch = new ArrayList<>();
                for (SpanRecord s : spans.subList(i, Math.min(spans.size(), i + 512))) {
                    batch.add(SpanDataAdapter.toSpanData(s, resource));
                }
                CompletableResultCode r = exporter.export(batch).join(config.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
                if (r.isSuccess()) {
                    sent += batch.size();
                } else {
                    Throwable t = r.getFailureThrowable();
                    err.println("agent-trace: the collector at " + config.tracesEndpoint() + " did not take " + batch.size()
                            + " span(s) (" + (t == null ? "no answer in time" : t.getMessage()) + ")");
                }
            }
        } finally {
            exporter.shutdown().join(2, TimeUnit.SECONDS);
        }
        return sent;
    }
}
