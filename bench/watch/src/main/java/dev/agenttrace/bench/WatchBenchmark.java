package dev.agenttrace.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.rules.watch.Alert;
import dev.agenttrace.rules.watch.AlertActions;
import dev.agenttrace.rules.watch.LiveWatch;
import dev.agenttrace.rules.watch.SessionContext;
import dev.agenttrace.rules.watch.SessionCounters;
import dev.agenttrace.rules.watch.SessionWatch;
import dev.agenttrace.rules.watch.WatchConfig;
import dev.agenttrace.rules.watch.WatchConfigParser;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.SessionWriter;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceJson;
import dev.agenttrace.store.TraceStore;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * 1. Inline: the time {@link SessionWatch#observe} takes per event with every watcher but scope
 *    on, over a realistic stream (calls and results of a dozen tools, 5% failures, some retries),
 *    timed one event at a time (p50/p99; nanoTime's own ~20 ns included) and in bulk (mean).
 * 2. Live: a writer appends to a session's events.ndjson the way a recorder does (one write of
 *    whole lines, O_APPEND) and a {@link LiveWatch} follows it; latency is from just before the
 *    write of a tripping line to the watch's alert callback.
 */
public final class WatchBenchmark {
    private static final String CONFIG = """
            { "watchers": {
                "retry": {"max": 3}, "loop": {"sequence_length": 3, "max_repeats": 3, "window": 10, "max_same_calls": 5},
                "cost": {"max_dollars": 1000000}, "tokens": {"max": 2000000000, "max_context_pct": 95},
                "duration": {"max_minutes": 100000}, "files_modified": {"max": 1000000}, "test_failures": {"consecutive": 1000},
                "error_rate": {"max_rate": 0.9, "window": 50}, "error_kind": {"kinds": {"permission": 1000000}},
                "silent_failure": {"alert": "file"}, "hung": {"max_seconds": 1000000} } }
            """;

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        Path tmp = Files.createTempDirectory("watch-bench");
        WatchConfig config = WatchConfigParser.parse(CONFIG, "bench.json", tmp);
        if (args.length > 2 && "proxy-path".equals(args[2])) {
            proxyPath(config, Math.min(events, 400_000));
            return;
        }
        inline(config, events);
        live(tmp, rounds);
    }

    // ---------------------------------------------------------------- inline

    private static TraceEvent[] stream(int n) {
        String[] tools = {"read_file", "write_file", "list_directory", "search_files", "Bash", "Edit", "Read", "fetch", "git_status",
                "run_tests", "get_weather", "query"};
        TraceEvent[] out = new TraceEvent[n];
        ThreadLocalRandom r = ThreadLocalRandom.current();
        double ts = 1_700_000_000;
        int i = 0;
        int req = 0;
        while (i < n) {
            String tool = tools[r.nextInt(tools.length)];
            ObjectNode args = JsonNodeFactory.instance.objectNode();
            switch (tool) {
                case "Bash" -> args.put("command", r.nextInt(10) == 0 ? "uv run pytest -q" : "ls -la src/" + r.nextInt(50));
                case "fetch" -> args.put("url", "https://example.com/page/" + r.nextInt(100));
                case "Edit", "Read" -> args.put("file_path", "src/module" + r.nextInt(200) + ".py");
                default -> {
                    args.put("path", "src/dir" + r.nextInt(30) + "/file" + r.nextInt(100) + ".txt");
                    if (tool.equals("write_file")) {
                        args.put("content", "x".repeat(200 + r.nextInt(800)));
                    }
                }
            }
            ObjectNode call = JsonNodeFactory.instance.objectNode();
            call.put("tool_name", tool);
            call.set("arguments", args);
            call.put("request_id", ++req);
            String callId = String.format("%012x", i);
            out[i++] = new TraceEvent("tool_call", ts += 0.01, callId, "bench", null, null, call);
            if (i == n) {
                break;
            }
            boolean fail = r.nextInt(20) == 0;
            ObjectNode res = JsonNodeFactory.instance.objectNode();
            res.put("request_id", req);
            res.putArray("content_types").add("text");
            res.put("content_preview", fail ? "Error: ENOENT: no such file or directory" : "result text ".repeat(1 + r.nextInt(15)));
            res.put("is_error", fail);
            res.put("tool_name", tool);
            out[i++] = new TraceEvent("tool_result", ts += 0.02, String.format("%012x", i), "bench", callId, 20.0, res);
        }
        return out;
    }

    private static void inline(WatchConfig config, int n) {
        TraceEvent[] events = stream(n);
        // warm-up: JIT the whole path
        for (int w = 0; w < 3; w++) {
            SessionWatch warm = new SessionWatch(config, SessionContext.here("bench", 1_700_000_000.0));
            for (TraceEvent e : events) {
                warm.observe(e);
            }
        }
        long[] samples = new long[n];
        SessionWatch watch = new SessionWatch(config, SessionContext.here("bench", 1_700_000_000.0));
        long alerts = 0;
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            alerts += watch.observe(events[i]).size();
            samples[i] = System.nanoTime() - t0;
        }
        SessionWatch bulk = new SessionWatch(config, SessionContext.here("bench", 1_700_000_000.0));
        long t0 = System.nanoTime();
        for (TraceEvent e : events) {
            bulk.observe(e);
        }
        long total = System.nanoTime() - t0;
        Arrays.sort(samples);
        SessionCounters c = watch.counters(events[n - 1].timestamp());
        System.out.printf(Locale.ROOT, "inline: %d events (%d calls, %d errors, %d alerts), 11 watchers%n", n, c.toolCalls(), c.errors(), alerts);
        System.out.printf(Locale.ROOT, "inline: per event p50 %.2f µs  p90 %.2f µs  p99 %.2f µs  p99.9 %.2f µs  (timed singly)%n",
                pct(samples, 50) / 1e3, pct(samples, 90) / 1e3, pct(samples, 99) / 1e3, pct(samples, 99.9) / 1e3);
        System.out.printf(Locale.ROOT, "inline: mean %.2f µs per event (bulk)%n", total / 1e3 / n);
    }

    // ---------------------------------------------------------------- the proxy's inline path

    /**
     * What {@code record --watch} does per message on a relay thread: copy the frame's bytes,
     * classify them (Jackson tree + {@code McpClassifier} into a {@code BufferingSink}) and show the
     * events to the watch. The same stream as {@link #inline}, as JSON-RPC bytes. Run it with the
     * launcher's JIT flags (bench/watch/run does) to see what the proxy pays.
     */
    private static void proxyPath(WatchConfig config, int n) {
        TraceEvent[] events = stream(n);
        byte[][] wire = new byte[n][];
        boolean[] fromServer = new boolean[n];
        for (int i = 0; i < n; i++) {
            TraceEvent e = events[i];
            ObjectNode msg = JsonNodeFactory.instance.objectNode();
            msg.put("jsonrpc", "2.0");
            msg.set("id", e.data().get("request_id"));
            if (e.eventType().equals("tool_call")) {
                ObjectNode params = msg.put("method", "tools/call").putObject("params");
                params.put("name", e.data().get("tool_name").asText());
                params.set("arguments", e.data().get("arguments"));
            } else {
                ObjectNode result = msg.putObject("result");
                result.putArray("content").addObject().put("type", "text").put("text", e.data().get("content_preview").asText());
                result.put("isError", e.data().get("is_error").asBoolean());
                fromServer[i] = true;
            }
            wire[i] = msg.toString().getBytes(StandardCharsets.UTF_8);
        }
        StoreOptions opts = StoreOptions.defaults();
        for (int w = 0; w < 3; w++) {
            runPath(config, opts, wire, fromServer, null);
        }
        long[] samples = new long[n];
        long[] alerts = runPath(config, opts, wire, fromServer, samples);
        long[] calls = java.util.stream.IntStream.range(0, n).filter(i -> !fromServer[i]).mapToLong(i -> samples[i]).sorted().toArray();
        long[] results = java.util.stream.IntStream.range(0, n).filter(i -> fromServer[i]).mapToLong(i -> samples[i]).sorted().toArray();
        Arrays.sort(samples);
        long bytes = 0;
        for (byte[] b : wire) {
            bytes += b.length;
        }
        System.out.printf(Locale.ROOT, "proxy path: %d messages (mean %d bytes), classify + 11 watchers, %d alerts%n", n, bytes / n, alerts[0]);
        System.out.printf(Locale.ROOT, "proxy path: per message p50 %.2f µs  p90 %.2f µs  p99 %.2f µs%n",
                pct(samples, 50) / 1e3, pct(samples, 90) / 1e3, pct(samples, 99) / 1e3);
        System.out.printf(Locale.ROOT, "proxy path: tools/call (before forwarding) p50 %.2f µs  p99 %.2f µs; results (after) p50 %.2f µs  p99 %.2f µs%n",
                pct(calls, 50) / 1e3, pct(calls, 99) / 1e3, pct(results, 50) / 1e3, pct(results, 99) / 1e3);
    }

    /** -Dpause.us=N: park N µs before each message, as a relay thread blocks on read between messages. */
    private static final long PAUSE_NANOS = Long.getLong("pause.us", 0) * 1000;

    private static long[] runPath(WatchConfig config, StoreOptions opts, byte[][] wire, boolean[] fromServer, long[] samples) {
        SessionWatch watch = new SessionWatch(config, SessionContext.here("bench", 1_700_000_000.0));
        dev.agenttrace.store.mcp.McpClassifier classifier = new dev.agenttrace.store.mcp.McpClassifier();
        long alerts = 0;
        long clock = 1_700_000_000_000_000_000L;
        for (int i = 0; i < wire.length; i++) {
            clock += 10_000_000;
            if (PAUSE_NANOS > 0 && samples != null) {
                java.util.concurrent.locks.LockSupport.parkNanos(PAUSE_NANOS);
            }
            long t0 = System.nanoTime();
            byte[] body = Arrays.copyOf(wire[i], wire[i].length);
            dev.agenttrace.store.mcp.BufferingSink sink = new dev.agenttrace.store.mcp.BufferingSink("bench", opts);
            classifier.onMessage(sink, fromServer[i] ? dev.agenttrace.store.mcp.Direction.SERVER_TO_CLIENT
                    : dev.agenttrace.store.mcp.Direction.CLIENT_TO_SERVER, "newline", body, clock / 1e9, clock);
            long[] a = {0};
            sink.forEachEvent(e -> a[0] += watch.observe(e).size());
            alerts += a[0];
            if (samples != null) {
                samples[i] = System.nanoTime() - t0;
            }
        }
        return new long[] {alerts};
    }

    // ---------------------------------------------------------------- live

    private static void live(Path tmp, int rounds) throws Exception {
        Path traces = tmp.resolve("traces");
        SessionMeta m = new SessionMeta();
        m.sessionId = "bench000000000001";
        try (SessionWriter w = TraceStore.at(traces).create(m, StoreOptions.defaults())) {
            w.sessionId();
        }
        WatchConfig config = WatchConfigParser.parse("{\"watchers\": {\"retry\": {\"max\": 0, \"alert\": \"file\"}}}", "live.json", tmp);
        AtomicLong alerted = new AtomicLong();
        AtomicLong count = new AtomicLong();
        LiveWatch.Listener listener = new LiveWatch.Listener() {
            @Override
            public void started(SessionMeta s, boolean existing) {
            }

            @Override
            public void alert(Alert a, boolean live) {
                alerted.set(System.nanoTime());
                count.incrementAndGet();
            }

            @Override
            public void status(List<SessionCounters> sessions) {
            }

            @Override
            public void ended(SessionCounters s) {
            }

            @Override
            public void warning(String message) {
                System.err.println("warning: " + message);
            }
        };
        try (AlertActions actions = AlertActions.builder().traceDir(traces).terminal(s -> { }).build()) {
            LiveWatch live = new LiveWatch(TraceStore.at(traces), config, actions, listener,
                    new LiveWatch.Options(LiveWatch.Mode.SESSIONS, List.of(m.sessionId), 0, 50, 0));
            Thread runner = new Thread(() -> {
                try {
                    live.run();
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }, "live-watch");
            runner.start();
            Thread.sleep(500);
            Path file = traces.resolve(m.sessionId).resolve("events.ndjson");
            long[] latency = new long[rounds];
            double ts = System.currentTimeMillis() / 1000.0;
            int lost = 0;
            for (int i = 0; i < rounds; i++) {
                String args = "{\"path\":\"missing-" + i + ".txt\"}";
                String call = line("tool_call", ts += 0.001, 3L * i, null, "{\"tool_name\":\"read_file\",\"arguments\":" + args + ",\"request_id\":" + (2 * i) + "}");
                String err = line("error", ts += 0.001, 3L * i + 1, 3L * i, "{\"code\":-32000,\"message\":\"ENOENT\",\"request_id\":" + (2 * i) + "}");
                String retry = line("tool_call", ts += 0.001, 3L * i + 2, null, "{\"tool_name\":\"read_file\",\"arguments\":" + args + ",\"request_id\":" + (2 * i + 1) + "}");
                append(file, call + err);
                Thread.sleep(ThreadLocalRandom.current().nextInt(5, 25));
                long before = count.get();
                long t0 = System.nanoTime();
                append(file, retry);
                long deadline = t0 + TimeUnit.SECONDS.toNanos(5);
                while (count.get() == before && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                if (count.get() == before) {
                    lost++;
                    latency[i] = TimeUnit.SECONDS.toNanos(5);
                } else {
                    latency[i] = alerted.get() - t0;
                }
            }
            live.stop();
            runner.join(2_000);
            Arrays.sort(latency);
            System.out.printf(Locale.ROOT, "live: %d appends that trip a rule, followed by a LiveWatch (WatchService + 50 ms poll)%n", rounds);
            System.out.printf(Locale.ROOT, "live: append-to-alert p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms%s%n",
                    pct(latency, 50) / 1e6, pct(latency, 90) / 1e6, pct(latency, 99) / 1e6, latency[rounds - 1] / 1e6,
                    lost > 0 ? "  (" + lost + " not seen within 5 s)" : "");
        }
    }

    private static String line(String type, double ts, long id, Long parent, String data) throws Exception {
        ObjectNode d = (ObjectNode) TraceJson.mapper().readTree(data);
        return TraceJson.eventLine(new TraceEvent(type, ts, String.format("%012x", id), "bench000000000001",
                parent == null ? null : String.format("%012x", parent), null, d)) + "\n";
    }

    private static void append(Path file, String text) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
        }
    }

    private static double pct(long[] sorted, double p) {
        int i = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, i)];
    }
}
