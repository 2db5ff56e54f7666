package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** With export off, `record` loads nothing of OpenTelemetry (no start-up cost); with it on, the SDK loads. */
@Timeout(60)
class ExportOffStartupTest {
    private static long otelClasses(Path traces, List<String> extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Peers.JAVA, "-verbose:class", "-cp", Peers.CLASSPATH, "dev.agenttrace.cli.Main",
                "record", "--trace-dir", traces.toString()));
        cmd.addAll(extra);
        cmd.addAll(List.of("--", "cat"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().keySet().removeIf(k -> k.startsWith("OTEL_"));
        Process p = pb.start();
        p.getOutputStream().write("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"x\",\"arguments\":{}}}\n"
                .getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        assertTrue(out.contains("\"method\":\"tools/call\""), "cat echoed the call back through the proxy");
        return out.lines().filter(l -> l.startsWith("[") && l.contains(" io.opentelemetry.")).count();
    }

    @Test
    void noOpenTelemetryClassLoadsWhenExportIsOff(@TempDir Path dir) throws Exception {
        assertEquals(0, otelClasses(dir.resolve("off"), List.of()));
        assertTrue(otelClasses(dir.resolve("on"), List.of("--otlp-endpoint", "http://127.0.0.1:" + HttpPeers.freePort())) > 50,
                "the probe can see the SDK load when export is on");
    }
}
