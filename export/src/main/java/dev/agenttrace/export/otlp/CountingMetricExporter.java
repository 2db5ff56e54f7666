package dev.agenttrace.export.otlp;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.util.Collection;
import java.util.concurrent.atomic.LongAdder;

/** A metric exporter whose failed exports are counted (as metric data items) and reported once. */
final class CountingMetricExporter implements MetricExporter {
    private final MetricExporter delegate;
    private final DropReport report;
    private final LongAdder dropped = new LongAdder();

    CountingMetricExporter(MetricExporter delegate, DropReport report) {
        this.delegate = delegate;
        this.report = report;
    }

    long dropped() {
        return dropped.sum();
    }

    @Override
    public CompletableResultCode export(Collection<MetricData> metrics) {
        CompletableResultCode r = delegate.export(metrics);
        int n = metrics.size();
        r.whenComplete(() -> {
            if (!r.isSuccess()) {
                dropped.add(n);
                Throwable t = r.getFailureThrowable();
                report.dropped("metrics: " + (t != null ? t.getMessage() : "the collector refused them"));
            }
        });
        return r;
    }

    @Override
    public CompletableResultCode flush() {
        return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
        return delegate.shutdown();
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
        return delegate.getAggregationTemporality(instrumentType);
    }

    @Override
    public Aggregation getDefaultAggregation(InstrumentType instrumentType) {
        return delegate.getDefaultAggregation(instrumentType);
    }
}
