package dev.agenttrace.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Drives a real {@code bin/agent-trace mcp} process (the launcher users run) over stdio with the MCP Java SDK client, as a
 * debugging agent would, and times each tools/call from request to parsed answer. Prints the first
 * call (which builds the index when there is none), p50/p95 per query, a restart with the index on
 * disk, and the server's peak resident set (VmHWM from /proc).
 */
public final class McpBenchmark {
    private static final McpJsonMapper JSON = new JacksonMcpJsonMapper(new ObjectMapper());

    private McpBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path store = Path.of(args[0]);
        int rounds = Integer.parseInt(args[1]);
        String launcher = args[2];
        String serverOpts = System.getenv().getOrDefault("AGENT_TRACE_JAVA_OPTS", "");
        Files.deleteIfExists(store.resolve(".agent-trace-index.ndjson"));
        System.out.println("server JVM: " + System.getProperty("java.version") + (serverOpts.isBlank() ? "" : " " + serverOpts)
                + ", cores: " + Runtime.getRuntime().availableProcessors());

        try (Server s = new Server(store, launcher)) {
            long t0 = System.nanoTime();
            call(s.client, "list_sessions", Map.of("limit", 20));
            System.out.printf(Locale.ROOT, "first list_sessions (no index yet: builds it from every event): %.0f ms%n", ms(t0));
            String someSession = sessionOf(call(s.client, "list_sessions", Map.of("limit", 1)));
            String otherSession = sessionOf(call(s.client, "list_sessions", Map.of("limit", 1, "agent", "claude")));
            Map<String, Map<String, Object>> queries = new LinkedHashMap<>();
            queries.put("list_sessions {limit 20}", Map.of("limit", 20));
            queries.put("list_sessions {agent cursor, limit 50}", Map.of("agent", "cursor", "limit", 50));
            queries.put("search_events {} (first page of 50)", Map.of());
            queries.put("search_events {tool_name deploy_prod} (rare: index skips)", Map.of("tool_name", "deploy_prod"));
            queries.put("search_events {file_path module_42/file_7.py}", Map.of("file_path", "module_42/file_7.py"));
            queries.put("search_events {has_error true}", Map.of("has_error", true));
            queries.put("search_events {exit_code 2}", Map.of("exit_code", 2));
            queries.put("search_events {query needle-7f3a} (rare text: scans every line)", Map.of("query", "needle-7f3a"));
            queries.put("search_events {query timeout, event_type tool_result}", Map.of("query", "timeout", "event_type", "tool_result"));
            queries.put("search_events {session_id, event_type tool_call}", Map.of("session_id", someSession, "event_type", "tool_call"));
            queries.put("search_events {since, until: a 1 h window}", Map.of("since", 1_781_000_000, "until", 1_781_003_600));
            queries.put("get_session_summary {session_id}", Map.of("session_id", someSession));
            queries.put("diff_sessions {session_a, session_b}", Map.of("session_a", someSession, "session_b", otherSession));
            for (Map.Entry<String, Map<String, Object>> q : queries.entrySet()) {
                String tool = q.getKey().substring(0, q.getKey().indexOf(' '));
                double[] times = new double[rounds];
                CallToolResult last = null;
                for (int i = 0; i < rounds; i++) {
                    long t = System.nanoTime();
                    last = call(s.client, tool, q.getValue());
                    times[i] = ms(t);
                }
                Arrays.sort(times);
                Object count = ((Map<?, ?>) last.structuredContent()).get("count");
                if (count == null) {
                    count = "-";
                }
                System.out.printf(Locale.ROOT, "%-68s p50 %7.1f ms  p95 %7.1f ms  (%s results)%n", q.getKey(), times[rounds / 2],
                        times[Math.min(rounds - 1, (int) Math.ceil(rounds * 0.95) - 1)], count);
            }
            System.out.printf(Locale.ROOT, "server peak RSS (VmHWM): %s%n", s.peakRss());
        }
        try (Server s = new Server(store, launcher)) {
            long t0 = System.nanoTime();
            call(s.client, "list_sessions", Map.of("limit", 20));
            System.out.printf(Locale.ROOT, "restart, index on disk: first list_sessions %.0f ms; peak RSS %s%n", ms(t0), s.peakRss());
        }
        System.out.printf(Locale.ROOT, "index file: %.1f MB%n", Files.size(store.resolve(".agent-trace-index.ndjson")) / 1e6);
    }

    private static String sessionOf(CallToolResult r) {
        List<?> sessions = (List<?>) ((Map<?, ?>) r.structuredContent()).get("sessions");
        return (String) ((Map<?, ?>) sessions.get(0)).get("session_id");
    }

    private static CallToolResult call(McpSyncClient c, String tool, Map<String, Object> args) {
        CallToolResult r = c.callTool(CallToolRequest.builder().name(tool).arguments(args).build());
        if (Boolean.TRUE.equals(r.isError())) {
            throw new IllegalStateException(tool + " " + args + ": " + r.content());
        }
        return r;
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    /** One agent-trace mcp process and a client connected to it. */
    private static final class Server implements AutoCloseable {
        final McpSyncClient client;
        final ProcessHandle process;

        Server(Path store, String launcher) {
            List<String> cmd = new ArrayList<>(List.of(launcher, "mcp", "--trace-dir", store.toString()));
            StdioClientTransport t = new StdioClientTransport(ServerParameters.builder(cmd.get(0)).args(cmd.subList(1, cmd.size())).build(), JSON);
            t.setStdErrorHandler(l -> { });
            client = McpClient.sync(t).requestTimeout(Duration.ofMinutes(10)).build();
            client.initialize();
            process = ProcessHandle.current().children().filter(p -> p.info().command().orElse("").endsWith("java"))
                    .reduce((a, b) -> b).orElseThrow();
        }

        String peakRss() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                    if (line.startsWith("VmHWM:")) {
                        return line.substring(6).trim();
                    }
                }
            } catch (Exception e) {
                return "unknown (" + e.getMessage() + ")";
            }
            return "unknown";
        }

        @Override
        public void close() {
            client.closeGracefully();
        }
    }
}
