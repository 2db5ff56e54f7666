package dev.agenttrace.bench.stdio;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command lines of the paths a benchmark compares, built as argument lists (no shell, so a
 * clone in a directory with spaces works): the server alone, the raw hop in front of it, and
 * {@code agent-trace record} (plain or with inline watchers) in front of it.
 */
final class Paths {
    final String java;
    final String classpath;
    final Path agentTrace;

    Paths(String java, String classpath, Path agentTrace) {
        this.java = java;
        this.classpath = classpath;
        this.agentTrace = agentTrace;
    }

    /** The echo server, JIT as the JVM defaults (a server that lives long), warmed up before it reads. */
    List<String> echoServer(String framing, int warmCalls) {
        return echoServer(framing, warmCalls, 0);
    }

    /** The same, taking {@code serviceMicros} per answer (0: at once). */
    List<String> echoServer(String framing, int warmCalls, int serviceMicros) {
        List<String> c = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-cp", classpath, EchoServer.class.getName(), "--framing", framing,
                "--warm", Integer.toString(warmCalls)));
        if (serviceMicros > 0) c.addAll(List.of("--service-us", Integer.toString(serviceMicros)));
        return c;
    }

    /** The raw hop, with the quick compiler only, as the launcher runs a stdio proxy. */
    List<String> relay(List<String> server, String... relayArgs) {
        List<String> c = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath,
                RawRelay.class.getName()));
        c.addAll(List.of(relayArgs));
        c.add("--");
        c.addAll(server);
        return c;
    }

    List<String> record(List<String> server, Path traceDir, Path watchFile) {
        return record(server, traceDir, watchFile, null);
    }

    /** {@code record}, exporting live over OTLP to {@code otlpEndpoint} when it is not null. */
    List<String> record(List<String> server, Path traceDir, Path watchFile, String otlpEndpoint) {
        List<String> c = new ArrayList<>(List.of(agentTrace.toString(), "record", "--trace-dir", traceDir.toString()));
        if (watchFile != null) c.addAll(List.of("--watch", watchFile.toString()));
        if (otlpEndpoint != null) c.addAll(List.of("--otlp-endpoint", otlpEndpoint));
        c.add("--");
        c.addAll(server);
        return c;
    }
}
