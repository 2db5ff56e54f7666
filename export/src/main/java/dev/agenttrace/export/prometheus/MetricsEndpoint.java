package dev.agenttrace.export.prometheus;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * {@code GET /metrics}: the export's metrics (the same instruments the OTLP export sends) as
 * OpenMetrics text, for Prometheus to scrape. Transport-free at its core ({@link #scrape}), with a
 * JDK {@link HttpHandler} for a server that mounts it in one line:
 *
 * <pre>
 *   server.createContext("/metrics", endpoint.httpHandler());
 * </pre>
 *
 * A Netty server answers {@code GET /metrics} with {@link #contentType()} and {@link #scrape()}.
 */
public final class MetricsEndpoint {
    private final PrometheusMetricReader reader = PrometheusMetricReader.builder().setOtelScopeLabelsEnabled(false).build();
    private final OpenMetricsTextFormatWriter writer = OpenMetricsTextFormatWriter.builder().build();

    /** Register with the meter provider whose instruments are served. */
    public MetricReader reader() {
        return reader;
    }

    public String contentType() {
        return writer.getContentType();
    }

    /** The current values, as OpenMetrics text (ending with {@code # EOF}). */
    public byte[] scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        writer.write(out, reader.collect(), EscapingScheme.UNDERSCORE_ESCAPING);
        return out.toByteArray();
    }

    public HttpHandler httpHandler() {
        return this::handle;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().add("Allow", "GET, HEAD");
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = scrape();
            ex.getResponseHeaders().add("Content-Type", contentType());
            boolean head = "HEAD".equals(ex.getRequestMethod());
            ex.sendResponseHeaders(200, head ? -1 : body.length);
            if (!head) {
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(body);
                }
            }
        }
    }
}
