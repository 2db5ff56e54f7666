package dev.agenttrace.bench.stdio;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code agent-trace record} against the server alone and against the raw hop, in the same run:
 * ROUNDS rounds, the order of the paths rotated each round (A B C, B C A, ...), a fresh process
 * per path per round. Reports, per path, the medians over rounds, and the added latency and
 * throughput ratio as the median over rounds of (path against direct in the same round) and of
 * (path against the raw hop in the same round): the machine's drift lands on both sides.
 *
 * <pre>
 * StdioBench --label L --out DIR --java JAVA --cp CP --agent-trace BIN [--framing newline|content-length]
 *            [--paths direct,relay,record,watch,otlp] [--watch-file FILE] [--otlp-endpoint URL] [--base relay] [--rounds 3]
 *            [--n 2000] [--warmup 1000] [--payload-bytes 100] [--n-large 20] [--large-bytes 1048576]
 *            [--m 5000] [--window 32] [--timeout-ms 10000] [--exit-timeout-ms 5000]
 *            [--service-us 0]   (the echo server's time per answer)
 * StdioBench --self-check --out DIR --java JAVA --cp CP     (the driver notices one altered byte)
 * </pre>
 *
 * The {@code otlp} path is {@code record --otlp-endpoint URL} (a collector such as {@link OtlpSink});
 * after each of its rounds the driver waits for the collector to have every {@code tools/call}
 * span it sent (or 10 s without a new one) and reports how many arrived. {@code --base} names the
 * second path each row is compared with (default {@code relay}; {@code record} for export on/off).
 */
public final class StdioBench {
    private static final Pattern GC_PAUSE = Pattern.compile("Pause.* ([0-9.]+)ms$");

    private StdioBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) usage("unexpected argument '" + args[i] + "'");
            String k = args[i].substring(2);
            if (k.equals("self-check")) a.put(k, "true");
            else if (i + 1 < args.length) a.put(k, args[++i]);
            else usage("--" + k + " needs a value");
        }
        Path out = Path.of(require(a, "out"));
        Files.createDirectories(out.resolve("gc"));
        Paths paths = new Paths(require(a, "java"), require(a, "cp"),
                a.containsKey("agent-trace") ? Path.of(a.get("agent-trace")).toAbsolutePath() : null);
        if (a.containsKey("self-check")) {
            System.exit(selfCheck(paths, out) ? 0 : 1);
        }
        Load.Options o = new Load.Options();
        o.n = num(a, "n", o.n);
        o.warmup = num(a, "warmup", o.warmup);
        o.payloadBytes = num(a, "payload-bytes", o.payloadBytes);
        o.nLarge = num(a, "n-large", o.nLarge);
        o.largeBytes = num(a, "large-bytes", o.largeBytes);
        o.m = num(a, "m", o.m);
        o.window = num(a, "window", o.window);
        o.timeoutMillis = num(a, "timeout-ms", (int) o.timeoutMillis);
        o.exitTimeoutMillis = num(a, "exit-timeout-ms", (int) o.exitTimeoutMillis);
        String otlp = a.get("otlp-endpoint");
        String base = a.getOrDefault("base", "relay");
        String label = require(a, "label");
        Framing framing = Framing.parse(a.getOrDefault("framing", "newline"));
        int rounds = Math.max(1, Math.min(50, num(a, "rounds", 3)));
        List<String> names = List.of(a.getOrDefault("paths", "direct,relay,record").split(","));
        if (!names.get(0).equals("direct")) usage("--paths must start with direct: it is what the others are compared with");
        Path watchFile = a.containsKey("watch-file") ? Path.of(a.get("watch-file")).toAbsolutePath() : null;
        if (names.contains("watch") && watchFile == null) usage("the watch path needs --watch-file");
        if ((names.contains("record") || names.contains("watch") || names.contains("otlp")) && paths.agentTrace == null) usage("record needs --agent-trace");
        if (names.contains("otlp") && otlp == null) usage("the otlp path needs --otlp-endpoint (a collector: OtlpSink)");

        Path scratch = Files.createDirectories(out.resolve("scratch"));   // no .agent-scope.json or .agent-watch.json here
        List<String> server = paths.echoServer(framing.label(), 20_000, num(a, "service-us", 0));
        EchoServer.warmUp(20_000);   // the driver's own JIT too: the first path of round 1 is not measured cold
        Map<String, List<Load.Result>> results = new LinkedHashMap<>();
        for (String name : names) results.put(name, new ArrayList<>());
        System.out.printf(Locale.ROOT, "== %s: %d rounds of %s, framing %s; %d warm-up + %d small calls (%d B), %d x %d B, %d pipelined (window %d); load %s%n",
                label, rounds, names, framing.label(), o.warmup, o.n, o.payloadBytes, o.nLarge, o.largeBytes, o.m, o.window, loadAverage());
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < names.size(); k++) {
                String name = names.get((round + k) % names.size());
                Map<String, String> env = new LinkedHashMap<>();
                List<String> command;
                switch (name) {
                    case "direct": command = server; break;
                    case "relay": command = paths.relay(server); break;
                    case "record":
                    case "watch":
                    case "otlp":
                        command = paths.record(server, out.resolve("traces-" + label + "-" + name), name.equals("watch") ? watchFile : null,
                                name.equals("otlp") ? otlp : null);
                        if (name.equals("otlp")) OtlpSink.reset(otlp);
                        env.put("AGENT_TRACE_JAVA_OPTS", System.getenv().getOrDefault("AGENT_TRACE_JAVA_OPTS", "")
                                + " -Xlog:gc:file=" + out.resolve("gc").resolve(label + "-" + name + "-r" + round + ".log"));
                        break;
                    default: usage("unknown path '" + name + "': use direct, relay, record, watch, otlp"); return;
                }
                java.util.Set<String> before = sessions(out.resolve("traces-" + label + "-" + name));
                Load.Result r;
                try (McpChild child = new McpChild(command, scratch, env, out.resolve("stderr-" + label + "-" + name + ".log"), framing)) {
                    r = Load.run(child, o);
                }
                if (!name.equals("direct") && !name.equals("relay")) {
                    recorded(out.resolve("traces-" + label + "-" + name), before, r);
                }
                if (name.equals("otlp")) {
                    r.toolSpansReceived = OtlpSink.await(otlp, r.recordedCalls >= 0 ? r.recordedCalls : r.callsSent);
                }
                results.get(name).add(r);
                System.out.printf(Locale.ROOT, "round %d %-7s small p50=%.1fus p99=%.1fus large p50=%.2fms pipelined=%.0f/s mismatches=%d framing_errors=%d probe=%s exit=%s after %.0fms%n",
                        round + 1, name, Stats.percentile(r.small, .5), Stats.percentile(r.small, .99),
                        Stats.percentile(r.large, .5) / 1000, r.callsPerSecond, r.mismatches(), r.framingErrors, r.probeOk ? "ok" : "FAILED", r.exit, r.exitMillis);
                if (r.recordedCalls >= 0 && r.toolSpansReceived < 0) {
                    System.out.printf(Locale.ROOT, "round %d %-7s recorded %d tools/call of the %d calls sent; the trace writer dropped %d events%n",
                            round + 1, name, r.recordedCalls, r.callsSent, r.writerDropped);
                }
                if (r.toolSpansReceived >= 0) {
                    System.out.printf(Locale.ROOT, "round %d %-7s exported: %d of the %d recorded tools/call spans reached the collector (%d lost by the export); "
                                    + "the client sent %d calls, the trace writer dropped %d events%n",
                            round + 1, name, r.toolSpansReceived, r.recordedCalls, r.recordedCalls - r.toolSpansReceived, r.callsSent, r.writerDropped);
                }
            }
        }
        writeJson(out.resolve(label + ".json"), label, framing, o, results);
        String table = table(label, out, results, base);
        System.out.print(table);
        Files.writeString(out.resolve("summary.md"), table, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** A markdown table: one row per path. */
    private static String table(String label, Path out, Map<String, List<Load.Result>> results, String base) throws IOException {
        List<Load.Result> direct = results.get("direct");
        List<Load.Result> relay = results.get(base);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%n### %s (load %s at the end)%n%n", label, loadAverage()));
        b.append("| path | small p50 µs | +p50 vs direct | +p50 vs " + base + " | small p99 µs | +p99 vs direct | +p99 vs " + base + " "
                + "| 1 MiB p50 ms | +1 MiB vs direct | pipelined calls/s | × direct | × " + base + " | mismatches | framing errors | probe | exit | exit ms | peak RSS MB | GC pauses (n, p50, max ms) |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, List<Load.Result>> e : results.entrySet()) {
            String name = e.getKey();
            List<Load.Result> rs = e.getValue();
            ToDoubleFunction<Load.Result> p50 = r -> Stats.percentile(r.small, .5);
            ToDoubleFunction<Load.Result> p99 = r -> Stats.percentile(r.small, .99);
            ToDoubleFunction<Load.Result> large = r -> Stats.percentile(r.large, .5) / 1000;
            ToDoubleFunction<Load.Result> cps = r -> r.callsPerSecond;
            boolean isDirect = name.equals("direct");
            boolean vsRelay = relay != null && !name.equals(base) && !isDirect;
            b.append(String.format(Locale.ROOT, "| %s | %.1f | %s | %s | %.1f | %s | %s | %.2f | %s | %.0f | %s | %s | %d | %d | %s | %s | %.0f | %s | %s |%n",
                    name, med(rs, p50), isDirect ? "" : signed(added(rs, direct, p50), 1), vsRelay ? signed(added(rs, relay, p50), 1) : "",
                    med(rs, p99), isDirect ? "" : signed(added(rs, direct, p99), 1), vsRelay ? signed(added(rs, relay, p99), 1) : "",
                    med(rs, large), isDirect ? "" : signed(added(rs, direct, large), 2),
                    med(rs, cps), isDirect ? "" : String.format(Locale.ROOT, "%.2f", ratio(rs, direct, cps)),
                    vsRelay ? String.format(Locale.ROOT, "%.2f", ratio(rs, relay, cps)) : "",
                    rs.stream().mapToInt(Load.Result::mismatches).sum(), rs.stream().mapToInt(r -> r.framingErrors).sum(),
                    rs.stream().allMatch(r -> r.probeOk) ? "ok" : "FAILED",
                    rs.stream().map(r -> r.exit).distinct().sorted().collect(Collectors.joining(",")), med(rs, r -> r.exitMillis),
                    String.format(Locale.ROOT, "%.0f", med(rs, r -> r.peakRssKib / 1024.0)), gcPauses(out, label, name)));
        }
        for (Map.Entry<String, List<Load.Result>> e : results.entrySet()) {
            if (e.getValue().stream().anyMatch(r -> r.toolSpansReceived >= 0)) {
                long sent = e.getValue().stream().mapToLong(r -> r.callsSent).sum();
                long recorded = e.getValue().stream().mapToLong(r -> r.recordedCalls).sum();
                long got = e.getValue().stream().mapToLong(r -> Math.max(0, r.toolSpansReceived)).sum();
                long dropped = e.getValue().stream().mapToLong(r -> Math.max(0, r.writerDropped)).sum();
                b.append(String.format(Locale.ROOT, "%n%s: %d of the %d recorded tools/call spans reached the collector over %d rounds "
                                + "(%d lost by the export); the client sent %d calls, the trace writer dropped %d events%n",
                        e.getKey(), got, recorded, e.getValue().size(), recorded - got, sent, dropped));
            }
        }
        return b.toString();
    }

    private static java.util.Set<String> sessions(Path traceDir) throws IOException {
        java.util.Set<String> ids = new java.util.HashSet<>();
        if (Files.isDirectory(traceDir)) {
            try (var ds = Files.list(traceDir)) {
                ds.filter(Files::isDirectory).forEach(p -> ids.add(p.getFileName().toString()));
            }
        }
        return ids;
    }

    /** The session this round recorded (the one new in the store): its tools/call count and its writer's drops. */
    private static void recorded(Path traceDir, java.util.Set<String> before, Load.Result r) throws IOException {
        for (String id : sessions(traceDir)) {
            if (before.contains(id) || !Files.exists(traceDir.resolve(id).resolve("meta.json"))) continue;
            var meta = Wire.JSON.readTree(traceDir.resolve(id).resolve("meta.json").toFile());
            r.recordedCalls = meta.path("tool_calls").asLong(-1);
            r.writerDropped = meta.path("attribution").path("dropped_events").asLong(0);
        }
    }

    private static String signed(double v, int decimals) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%+." + decimals + "f", v);
    }

    private static double med(List<Load.Result> rs, ToDoubleFunction<Load.Result> f) {
        return Stats.median(rs.stream().map(f::applyAsDouble).collect(Collectors.toList()));
    }

    /** Median over rounds of (this path − base path) in the same round. */
    private static double added(List<Load.Result> rs, List<Load.Result> base, ToDoubleFunction<Load.Result> f) {
        List<Double> d = new ArrayList<>();
        for (int i = 0; i < rs.size(); i++) d.add(f.applyAsDouble(rs.get(i)) - f.applyAsDouble(base.get(i)));
        return Stats.median(d);
    }

    /** Median over rounds of (this path / base path) in the same round. */
    private static double ratio(List<Load.Result> rs, List<Load.Result> base, ToDoubleFunction<Load.Result> f) {
        List<Double> d = new ArrayList<>();
        for (int i = 0; i < rs.size(); i++) d.add(f.applyAsDouble(rs.get(i)) / f.applyAsDouble(base.get(i)));
        return Stats.median(d);
    }

    /** The GC pauses the path's JVMs logged (record paths only: -Xlog:gc through AGENT_TRACE_JAVA_OPTS). */
    private static String gcPauses(Path out, String label, String name) throws IOException {
        List<Double> pauses = new ArrayList<>();
        try (var files = Files.list(out.resolve("gc"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith(label + "-" + name + "-r")).collect(Collectors.toList())) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    Matcher m = GC_PAUSE.matcher(line);
                    if (m.find()) pauses.add(Double.parseDouble(m.group(1)));
                }
            }
        }
        if (pauses.isEmpty()) return name.equals("record") || name.equals("watch") || name.equals("otlp") ? "none" : "";
        double[] p = pauses.stream().mapToDouble(Double::doubleValue).toArray();
        return String.format(Locale.ROOT, "%d, %.1f, %.1f", p.length, Stats.percentile(p, .5), Stats.max(p));
    }

    private static void writeJson(Path file, String label, Framing framing, Load.Options o, Map<String, List<Load.Result>> results) throws IOException {
        ObjectNode root = Wire.JSON.createObjectNode();
        root.put("label", label).put("framing", framing.label()).putPOJO("options", Map.of("n", o.n, "warmup", o.warmup,
                "payload_bytes", o.payloadBytes, "n_large", o.nLarge, "large_bytes", o.largeBytes, "m", o.m, "window", o.window));
        ObjectNode paths = root.putObject("paths");
        for (Map.Entry<String, List<Load.Result>> e : results.entrySet()) {
            ArrayNode runs = paths.putArray(e.getKey());
            for (Load.Result r : e.getValue()) {
                ObjectNode n = runs.addObject();
                n.put("handshake_ok", r.handshakeOk).put("init_us", r.initUs).put("probe_ok", r.probeOk);
                summary(n.putObject("small_us"), r.small);
                summary(n.putObject("large_us"), r.large);
                n.put("pipelined_calls_per_s", r.callsPerSecond).putPOJO("counts", r.counts);
                n.put("framing_errors", r.framingErrors).put("exit", r.exit).put("exit_ms", r.exitMillis)
                        .put("peak_rss_kib", r.peakRssKib).put("calls_sent", r.callsSent);
                if (r.recordedCalls >= 0) {
                    n.put("recorded_tool_calls", r.recordedCalls).put("writer_dropped_events", r.writerDropped);
                }
                if (r.toolSpansReceived >= 0) {
                    n.put("tool_spans_received", r.toolSpansReceived);
                }
            }
        }
        Wire.JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    }

    private static void summary(ObjectNode n, double[] xs) {
        n.put("n", xs.length).put("p50", Stats.percentile(xs, .5)).put("p90", Stats.percentile(xs, .9))
                .put("p99", Stats.percentile(xs, .99)).put("max", Stats.max(xs));
    }

    /**
     * Proves the driver's checks can fail: through a relay that upper-cases one letter in every
     * 7th chunk each way, answers must be counted as mismatches; through the clean relay, none.
     */
    private static boolean selfCheck(Paths paths, Path out) throws IOException {
        Load.Options o = new Load.Options();
        o.n = 300;
        o.warmup = 0;
        o.nLarge = 2;
        o.m = 300;
        Path scratch = Files.createDirectories(out.resolve("scratch"));
        List<String> server = paths.echoServer("newline", 0);
        int[] mismatches = new int[2];
        String[][] relayArgs = {{"--corrupt-every", "7"}, {}};
        for (int i = 0; i < 2; i++) {
            try (McpChild child = new McpChild(paths.relay(server, relayArgs[i]), scratch, Map.of(), out.resolve("stderr-self-check.log"), Framing.NEWLINE)) {
                Load.Result r = Load.run(child, o);
                mismatches[i] = r.mismatches();
                if (i == 0) System.out.println("self-check: corrupting relay: " + r.counts);
            }
        }
        boolean ok = mismatches[0] > 0 && mismatches[1] == 0;
        System.out.printf("self-check: %s (one altered letter in every 7th chunk each way: %d answers flagged; clean relay: %d)%n",
                ok ? "ok" : "FAILED", mismatches[0], mismatches[1]);
        return ok;
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    private static String require(Map<String, String> a, String k) {
        String v = a.get(k);
        if (v == null) usage("--" + k + " is required");
        return v;
    }

    private static int num(Map<String, String> a, String k, int dflt) {
        String v = a.get(k);
        if (v == null) return dflt;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            usage("--" + k + " '" + v + "' is not a whole number");
            return dflt;
        }
    }

    private static void usage(String problem) {
        System.err.println("StdioBench: " + problem + " (see bench/README.md)");
        System.exit(2);
    }
}
