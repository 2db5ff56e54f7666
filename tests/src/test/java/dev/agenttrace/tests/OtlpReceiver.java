package dev.agenttrace.tests;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * An OTLP/HTTP (protobuf) receiver as a collector runs it: {@code POST /v1/traces} and
 * {@code /v1/metrics}, decoded with the official opentelemetry-proto classes.
 */
final class OtlpReceiver implements AutoCloseable {
    record Received(Span span, Map<String, String> resource, String scope, String schemaUrl) {
        String attr(String key) {
            return OtlpReceiver.attr(span.getAttributesList(), key);
        }

        String spanId() {
            return HexFormat.of().formatHex(span.getSpanId().toByteArray());
        }

        String parentId() {
            return HexFormat.of().formatHex(span.getParentSpanId().toByteArray());
        }

        String traceId() {
            return HexFormat.of().formatHex(span.getTraceId().toByteArray());
        }
    }

    private final HttpServer server;
    final List<Received> spans = new CopyOnWriteArrayList<>();
    final List<Metric> metrics = new CopyOnWriteArrayList<>();
    final Map<String, String> headers = new ConcurrentHashMap<>();

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/traces", this::traces);
        server.createContext("/v1/metrics", this::metrics);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void traces(HttpExchange ex) throws IOException {
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
        ExportTraceServiceRequest req = ExportTraceServiceRequest.parseFrom(ex.getRequestBody().readAllBytes());
        for (ResourceSpans rs : req.getResourceSpansList()) {
            Map<String, String> resource = new java.util.LinkedHashMap<>();
            rs.getResource().getAttributesList().forEach(kv -> resource.put(kv.getKey(), text(kv.getValue())));
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (Span s : ss.getSpansList()) {
                    spans.add(new Received(s, resource, ss.getScope().getName(), ss.getSchemaUrl()));
                }
            }
        }
        answer(ex, ExportTraceServiceResponse.getDefaultInstance().toByteArray());
    }

    private void metrics(HttpExchange ex) throws IOException {
        ExportMetricsServiceRequest req = ExportMetricsServiceRequest.parseFrom(ex.getRequestBody().readAllBytes());
        req.getResourceMetricsList().forEach(rm -> rm.getScopeMetricsList().forEach(sm -> metrics.addAll(sm.getMetricsList())));
        answer(ex, ExportMetricsServiceResponse.getDefaultInstance().toByteArray());
    }

    private static void answer(HttpExchange ex, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "application/x-protobuf");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }

    /** Waits (generously) until a span matching {@code p} arrived. */
    Received await(Predicate<Received> p, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < end) {
            for (Received r : spans) {
                if (p.test(r)) {
                    return r;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no span " + what + " arrived; got " + spans.stream().map(r -> r.span().getName()).toList());
    }

    Metric awaitMetric(String name) throws InterruptedException {
        long end = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < end) {
            for (Metric m : metrics) {
                if (m.getName().equals(name)) {
                    return m;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no metric " + name + "; got " + metrics.stream().map(Metric::getName).distinct().toList());
    }

    List<Received> named(String name) {
        return spans.stream().filter(r -> r.span().getName().equals(name)).toList();
    }

    static String attr(List<KeyValue> kvs, String key) {
        for (KeyValue kv : kvs) {
            if (kv.getKey().equals(key)) {
                return text(kv.getValue());
            }
        }
        return null;
    }

    static String text(AnyValue v) {
        return switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case INT_VALUE -> Long.toString(v.getIntValue());
            case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            default -> v.toString();
        };
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
