package dev.agenttrace.export.otlp;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The standard {@code OTEL_*} variables this export reads (the OpenTelemetry SDK environment
 * specification), plus {@code --otlp-endpoint}. No OpenTelemetry class is touched here: the CLI
 * asks {@link #wanted} before anything of the SDK loads, so a proxy without export starts as fast
 * as before.
 *
 * <p>Export is on when an OTLP endpoint is named ({@code --otlp-endpoint},
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT}, or a per-signal {@code _TRACES_}/{@code _METRICS_}
 * endpoint), unless {@code OTEL_SDK_DISABLED=true} or both {@code OTEL_TRACES_EXPORTER} and
 * {@code OTEL_METRICS_EXPORTER} are {@code none}.
 */
public record OtelConfig(String tracesEndpoint, String metricsEndpoint, boolean grpc, Map<String, String> headers,
                         String serviceName, Map<String, String> resourceAttributes, boolean traces, boolean metrics,
                         Duration timeout, Duration metricInterval, boolean captureContent) {

    public static final String DEFAULT_HTTP = "http://localhost:4318";
    public static final String DEFAULT_GRPC = "http://localhost:4317";
    /** Opt-in for tool arguments and results on spans (always redacted). */
    public static final String CAPTURE_CONTENT = "AGENT_TRACE_OTEL_CAPTURE_CONTENT";

    public static boolean wanted(Map<String, String> env, String endpointFlag) {
        if ("true".equalsIgnoreCase(env.getOrDefault("OTEL_SDK_DISABLED", "").trim())) {
            return false;
        }
        boolean named = endpointFlag != null || set(env, "OTEL_EXPORTER_OTLP_ENDPOINT")
                || set(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") || set(env, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
        return named && (exporterOn(env, "OTEL_TRACES_EXPORTER") || exporterOn(env, "OTEL_METRICS_EXPORTER"));
    }

    /**
     * @throws IllegalArgumentException a variable whose value cannot be used; the message names it,
     *                                  says what is wrong and what it accepts
     */
    public static OtelConfig from(Map<String, String> env, String endpointFlag) {
        String protocol = value(env, "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf").toLowerCase(Locale.ROOT);
        String tracesProtocol = value(env, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", protocol).toLowerCase(Locale.ROOT);
        if (!tracesProtocol.equals("http/protobuf") && !tracesProtocol.equals("grpc")) {
            throw new IllegalArgumentException("OTEL_EXPORTER_OTLP_PROTOCOL=" + tracesProtocol
                    + " is not supported: use http/protobuf (the default) or grpc");
        }
        boolean grpc = tracesProtocol.equals("grpc");
        String base = endpointFlag != null ? endpointFlag : value(env, "OTEL_EXPORTER_OTLP_ENDPOINT", grpc ? DEFAULT_GRPC : DEFAULT_HTTP);
        checkUrl(endpointFlag != null ? "--otlp-endpoint" : "OTEL_EXPORTER_OTLP_ENDPOINT", base);
        // a per-signal endpoint is used as is; the base one gets /v1/<signal> appended (HTTP only)
        String traces = endpointFlag == null && set(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
                ? env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").trim() : grpc ? base : join(base, "v1/traces");
        String metrics = endpointFlag == null && set(env, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")
                ? env.get("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT").trim() : grpc ? base : join(base, "v1/metrics");
        checkUrl("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", traces);
        checkUrl("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", metrics);
        Map<String, String> headers = pairs("OTEL_EXPORTER_OTLP_HEADERS", env.get("OTEL_EXPORTER_OTLP_HEADERS"));
        Map<String, String> resource = pairs("OTEL_RESOURCE_ATTRIBUTES", env.get("OTEL_RESOURCE_ATTRIBUTES"));
        String service = set(env, "OTEL_SERVICE_NAME") ? env.get("OTEL_SERVICE_NAME").trim()
                : resource.getOrDefault("service.name", "agent-trace");
        Duration timeout = millis(env, "OTEL_EXPORTER_OTLP_TIMEOUT", 10_000);
        Duration interval = millis(env, "OTEL_METRIC_EXPORT_INTERVAL", 60_000);
        return new OtelConfig(traces, metrics, grpc, headers, service, resource, exporterOn(env, "OTEL_TRACES_EXPORTER"),
                exporterOn(env, "OTEL_METRICS_EXPORTER"), timeout, interval,
                "true".equalsIgnoreCase(env.getOrDefault(CAPTURE_CONTENT, "").trim()));
    }

    private static boolean exporterOn(Map<String, String> env, String name) {
        String v = env.getOrDefault(name, "otlp").trim().toLowerCase(Locale.ROOT);
        if (v.isEmpty() || v.equals("otlp")) {
            return true;
        }
        if (v.equals("none")) {
            return false;
        }
        for (String part : v.split(",")) {
            if (part.trim().equals("otlp")) {
                return true;
            }
        }
        return false; // console, logging, zipkin ...: not ours to run
    }

    private static boolean set(Map<String, String> env, String name) {
        String v = env.get(name);
        return v != null && !v.isBlank();
    }

    private static String value(Map<String, String> env, String name, String dflt) {
        return set(env, name) ? env.get(name).trim() : dflt;
    }

    private static String join(String base, String path) {
        return base.endsWith("/") ? base + path : base + "/" + path;
    }

    private static void checkUrl(String name, String url) {
        try {
            URI u = new URI(url);
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
                throw new IllegalArgumentException(name + "=" + url + " is not an http:// or https:// URL with a host:"
                        + " use e.g. http://localhost:4318");
            }
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(name + "=" + url + " is not a URL (" + e.getReason() + "): use e.g. http://localhost:4318");
        }
    }

    /** {@code key1=value1,key2=value2}, values percent-decoded, as the specification writes them. */
    static Map<String, String> pairs(String name, String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isBlank()) {
            return out;
        }
        for (String part : raw.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(name + ": '" + part.trim() + "' is not key=value:"
                        + " write key1=value1,key2=value2 (values percent-encoded)");
            }
            String k = part.substring(0, eq).trim();
            String v = part.substring(eq + 1).trim();
            out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v.replace("+", "%2B"), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static Duration millis(Map<String, String> env, String name, long dflt) {
        if (!set(env, name)) {
            return Duration.ofMillis(dflt);
        }
        try {
            long v = Long.parseLong(env.get(name).trim());
            if (v <= 0) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + env.get(name) + " is not a positive number of milliseconds");
        }
    }
}
