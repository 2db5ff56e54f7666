package dev.agenttrace.bench.stdio;

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

/**
 * What an MCP client waits for at every launch: spawn to initialize answered, for real servers
 * alone, behind the raw hop and behind {@code agent-trace record}; and for {@code agent-trace mcp}.
 * Each launch is a fresh process; the order of the paths rotates from launch to launch, one
 * launch of each path first is not counted (it fills the page cache). Reported: medians over the
 * launches, and what a hop adds as the median over launches of (hop − direct in the same launch).
 *
 * <pre>
 * Startup --out DIR --java JAVA --cp CP --agent-trace BIN --npm DIR [--launches 10] [--servers echo,filesystem,everything]
 *         [--record-target-ms 150] [--mcp-target-ms 300]
 * </pre>
 */
public final class Startup {
    private Startup() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) usage("unexpected argument '" + args[i] + "'");
            a.put(args[i].substring(2), args[i + 1]);
        }
        if (args.length % 2 != 0) usage("every option takes a value");
        Path out = Path.of(req(a, "out"));
        Path scratch = Files.createDirectories(out.resolve("scratch"));
        Paths paths = new Paths(req(a, "java"), req(a, "cp"), Path.of(req(a, "agent-trace")).toAbsolutePath());
        Path npm = Path.of(req(a, "npm")).toAbsolutePath().resolve("node_modules/@modelcontextprotocol");
        int launches = Integer.parseInt(a.getOrDefault("launches", "10"));
        double recordTarget = Double.parseDouble(a.getOrDefault("record-target-ms", "150"));
        double mcpTarget = Double.parseDouble(a.getOrDefault("mcp-target-ms", "300"));
        Path log = out.resolve("stderr-startup.log");

        Map<String, List<String>> servers = new LinkedHashMap<>();
        for (String s : a.getOrDefault("servers", "echo,filesystem,everything").split(",")) {
            switch (s) {
                case "echo": servers.put("echo (JVM)", paths.echoServer("newline", 0)); break;
                case "filesystem":
                    servers.put("server-filesystem", List.of("node", npm.resolve("server-filesystem/dist/index.js").toString(),
                            Files.createDirectories(scratch.resolve("fs-root")).toString()));
                    break;
                case "everything":
                    servers.put("server-everything", List.of("node", npm.resolve("server-everything/dist/index.js").toString(), "stdio"));
                    break;
                default: usage("unknown server '" + s + "': use echo, filesystem, everything");
            }
        }
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "%n### start-up: spawn to initialize answered, median of %d launches%n%n", launches));
        table.append("| server | direct ms | relay ms | record ms | relay − direct | record − direct | record − relay | relay × direct | record × direct | record target |\n");
        table.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, List<String>> s : servers.entrySet()) {
            Map<String, List<String>> cmds = new LinkedHashMap<>();
            cmds.put("direct", s.getValue());
            cmds.put("relay", paths.relay(s.getValue()));
            cmds.put("record", paths.record(s.getValue(), out.resolve("traces"), null));
            Map<String, List<Double>> ms = launchAll(cmds, launches, scratch, log);
            double direct = Stats.median(ms.get("direct"));
            double rec = Stats.median(ms.get("record"));
            double recAdded = paired(ms.get("record"), ms.get("direct"));
            System.out.printf(Locale.ROOT, "%s, ms per launch: direct %s, relay %s, record %s%n", s.getKey(), round(ms.get("direct")),
                    round(ms.get("relay")), round(ms.get("record")));
            double relay = Stats.median(ms.get("relay"));
            table.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %+.0f | %+.0f | %+.0f | %.2f | %.2f | ≤ %.0f: %s |%n", s.getKey(), direct,
                    relay, rec, paired(ms.get("relay"), ms.get("direct")), recAdded,
                    paired(ms.get("record"), ms.get("relay")), relay / direct, rec / direct, recordTarget, Double.isNaN(recAdded) ? "n/a" : recAdded <= recordTarget ? "met" : "missed"));
        }
        Path emptyStore = Files.createDirectories(scratch.resolve("empty-store"));
        Map<String, List<String>> mcp = new LinkedHashMap<>();
        mcp.put("mcp", List.of(paths.agentTrace.toString(), "mcp", "--trace-dir", emptyStore.toString()));
        List<Double> mcpMs = launchAll(mcp, launches, scratch, log).get("mcp");
        double m = Stats.median(mcpMs);
        System.out.printf(Locale.ROOT, "agent-trace mcp, ms per launch: %s%n", round(mcpMs));
        table.append(String.format(Locale.ROOT, "%n| `agent-trace mcp` (empty store) | initialize answered, median ms | %.0f | target ≤ %.0f: %s |%n|---|---|---|---|%n",
                m, mcpTarget, Double.isNaN(m) ? "n/a" : m <= mcpTarget ? "met" : "missed"));
        table.append(String.format(Locale.ROOT, "%nload average at the end: %s%n", StdioBench.loadAverage()));
        System.out.print(table);
        Files.writeString(out.resolve("summary.md"), table, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** One uncounted launch of each path, then `launches` rounds in rotated order; ms per launch (NaN: no answer). */
    private static Map<String, List<Double>> launchAll(Map<String, List<String>> cmds, int launches, Path cwd, Path log) throws IOException {
        List<String> names = new ArrayList<>(cmds.keySet());
        Map<String, List<Double>> ms = new LinkedHashMap<>();
        for (String n : names) {
            ms.put(n, new ArrayList<>());
            launch(cmds.get(n), cwd, log);
        }
        for (int i = 0; i < launches; i++) {
            for (int k = 0; k < names.size(); k++) {
                String n = names.get((i + k) % names.size());
                ms.get(n).add(launch(cmds.get(n), cwd, log));
            }
        }
        return ms;
    }

    /** Spawn, send initialize at once (it waits in the pipe), and time the arrival of its answer. */
    private static double launch(List<String> command, Path cwd, Path log) throws IOException {
        try (McpChild c = new McpChild(command, cwd, Map.of(), log, Framing.NEWLINE)) {
            c.send(Wire.initializeRequest("agent-trace-startup-bench"));
            double result = Double.NaN;
            for (int skipped = 0; skipped < 100; skipped++) {
                FrameReader.Frame f = c.receive(30_000);
                if (f == null) break;
                var msg = Wire.JSON.readTree(f.body);
                if (msg.path("id").asInt(-1) == 0 && msg.has("result")) {
                    result = (f.arrivedNanos - c.spawnedNanos) / 1e6;
                    break;
                }
            }
            c.send(Wire.initializedNotification());
            c.stop(3_000);
            if (Double.isNaN(result)) System.err.println("startup: no initialize answer from " + command + " (see " + log + ")");
            return result;
        }
    }

    private static String round(List<Double> ms) {
        return ms.stream().map(x -> String.format(Locale.ROOT, "%.0f", x)).collect(java.util.stream.Collectors.joining(" "));
    }

    private static double paired(List<Double> xs, List<Double> base) {
        List<Double> d = new ArrayList<>();
        for (int i = 0; i < xs.size(); i++) d.add(xs.get(i) - base.get(i));
        return Stats.median(d);
    }

    private static String req(Map<String, String> a, String k) {
        String v = a.get(k);
        if (v == null) usage("--" + k + " is required");
        return v;
    }

    private static void usage(String problem) {
        System.err.println("Startup: " + problem + " (see bench/README.md)");
        System.exit(2);
    }
}
