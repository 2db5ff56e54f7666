package dev.agenttrace.export.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OtelConfigTest {
    @Test
    void offUnlessAnEndpointIsNamed() {
        assertFalse(OtelConfig.wanted(Map.of(), null));
        assertFalse(OtelConfig.wanted(Map.of("OTEL_SERVICE_NAME", "x"), null));
        assertTrue(OtelConfig.wanted(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"), null));
        assertTrue(OtelConfig.wanted(Map.of(), "http://c:4318"));
        assertFalse(OtelConfig.wanted(Map.of("OTEL_SDK_DISABLED", "true"), "http://c:4318"));
        assertFalse(OtelConfig.wanted(Map.of("OTEL_TRACES_EXPORTER", "none", "OTEL_METRICS_EXPORTER", "none"), "http://c:4318"));
    }

    @Test
    void readsTheStandardVariables() {
        OtelConfig c = OtelConfig.from(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/",
                "OTEL_EXPORTER_OTLP_HEADERS", "api-key=s%3Dcret,x-team=a b", "OTEL_SERVICE_NAME", "agents",
                "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=ci,service.name=ignored", "OTEL_METRICS_EXPORTER", "none"), null);
        assertEquals("http://collector:4318/v1/traces", c.tracesEndpoint());
        assertEquals("http://collector:4318/v1/metrics", c.metricsEndpoint());
        assertEquals(Map.of("api-key", "s=cret", "x-team", "a b"), c.headers());
        assertEquals("agents", c.serviceName(), "OTEL_SERVICE_NAME wins over the resource's service.name");
        assertEquals("ci", c.resourceAttributes().get("deployment.environment"));
        assertTrue(c.traces());
        assertFalse(c.metrics());
        assertFalse(c.grpc());
    }

    @Test
    void grpcUsesTheEndpointAsIsAndPerSignalEndpointsWin() {
        OtelConfig g = OtelConfig.from(Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"), null);
        assertTrue(g.grpc());
        assertEquals("http://c:4317", g.tracesEndpoint());
        OtelConfig s = OtelConfig.from(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://t:1/custom"), null);
        assertEquals("http://t:1/custom", s.tracesEndpoint());
        assertEquals("http://localhost:4318/v1/metrics", s.metricsEndpoint());
    }

    @Test
    void badValuesNameTheVariableAndTheFix() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> OtelConfig.from(Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"), "http://c:4318"));
        assertTrue(e.getMessage().contains("OTEL_EXPORTER_OTLP_PROTOCOL=http/json") && e.getMessage().contains("grpc"), e.getMessage());
        var h = assertThrows(IllegalArgumentException.class,
                () -> OtelConfig.from(Map.of("OTEL_EXPORTER_OTLP_HEADERS", "novalue"), "http://c:4318"));
        assertTrue(h.getMessage().contains("OTEL_EXPORTER_OTLP_HEADERS") && h.getMessage().contains("key1=value1"), h.getMessage());
        var u = assertThrows(IllegalArgumentException.class, () -> OtelConfig.from(Map.of(), "collector:4318"));
        assertTrue(u.getMessage().contains("--otlp-endpoint"), u.getMessage());
    }
}
