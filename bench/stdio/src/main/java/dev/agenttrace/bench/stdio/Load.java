package dev.agenttrace.bench.stdio;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One client session against one path (the server alone, or a hop in front of it): handshake,
 * a byte-fidelity probe, sequential small calls, sequential large calls, pipelined calls. Every
 * answer is compared byte for byte with the one the echo server wrote ({@link Wire}); one that
 * differs is parsed to say how (wrong text, an error, an unknown id, the request altered on the
 * way in, or the answer's bytes altered on the way out). Latencies are in microseconds, from
 * just before the request's write to the end of the answer's read.
 */
final class Load {
    /** Sizes of the phases. */
    static final class Options {
        int n = 2000;
        int warmup = 1000;
        int payloadBytes = 100;
        int nLarge = 20;
        int largeBytes = 1 << 20;
        int m = 5000;
        int window = 32;
        long timeoutMillis = 10_000;
        long initTimeoutMillis = 30_000;
        long exitTimeoutMillis = 5_000;
    }

    /** What one session measured. */
    static final class Result {
        boolean handshakeOk;
        double initUs = Double.NaN;
        boolean probeOk;
        double[] small = new double[0];
        double[] large = new double[0];
        double callsPerSecond = Double.NaN;
        final Map<String, Integer> counts = new java.util.LinkedHashMap<>();
        int framingErrors;
        String exit;
        double exitMillis = Double.NaN;
        long peakRssKib = -1;
        /** tools/call requests sent (the probe, warm-up, small, large and pipelined calls). */
        long callsSent;
        /** For a path that exports over OTLP: the tools/call spans the collector received, else -1. */
        long toolSpansReceived = -1;
        /** The recorded session's tools/call count and the events its writer dropped (meta.json), or -1. */
        long recordedCalls = -1;
        long writerDropped = -1;

        Result() {
            for (String k : new String[] {"wrong_text", "error", "unknown_id", "bad_json", "request_altered", "answer_altered", "missing"}) {
                counts.put(k, 0);
            }
        }

        int mismatches() {
            return counts.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private static final String PROBE_TEXT = "h\u00e9llo w\u00f6rld \u2713 \uD83D\uDE80 \u2014 \"quoted\" back\\slash\ttab ctl\u0001 sep\u2028 / end";
    private final McpChild child;
    private final Options o;
    private final Result r = new Result();
    private long nextId = 1;

    private Load(McpChild child, Options o) {
        this.child = child;
        this.o = o;
    }

    static Result run(McpChild child, Options o) throws IOException {
        Load load = new Load(child, o);
        try {
            load.phases();
        } catch (IOException e) {
            load.r.counts.merge("missing", 1, Integer::sum);
            System.err.println("bench: " + e.getMessage());
        }
        load.r.callsSent = load.r.handshakeOk ? load.nextId : 0; // ids 1.. plus the probe
        load.r.framingErrors = child.framingErrors;
        load.r.peakRssKib = child.peakRssKib();
        load.r.exit = child.stop(o.exitTimeoutMillis);
        load.r.exitMillis = child.exitMillis;
        return load.r;
    }

    private void phases() throws IOException {
        child.send(Wire.initializeRequest("agent-trace-bench"));
        while (true) {
            FrameReader.Frame f = child.receive(o.initTimeoutMillis);
            if (f == null) {
                count("missing");
                return;
            }
            JsonNode msg = parse(f.body);
            if (msg == null || answeredServerRequest(msg)) continue;
            r.handshakeOk = msg.path("id").asInt(-1) == 0 && msg.has("result");
            r.initUs = (f.arrivedNanos - child.spawnedNanos) / 1000.0;
            break;
        }
        if (!r.handshakeOk) return;
        child.send(Wire.initializedNotification());
        r.probeOk = call("probe-\u00fc", PROBE_TEXT) >= 0;
        if (sequential(o.warmup, o.payloadBytes) == null) return;
        r.small = sequential(o.n, o.payloadBytes);
        if (r.small == null) return;
        if (o.nLarge > 0 && o.largeBytes > 0) {
            r.large = sequential(o.nLarge, o.largeBytes);
            if (r.large == null) return;
        }
        if (o.m > 0) pipelined(o.m, o.window, o.payloadBytes);
    }

    /** n sequential calls; their latencies, or null when an answer never came. */
    private double[] sequential(int n, int size) throws IOException {
        double[] lat = new double[n];
        for (int i = 0; i < n; i++) {
            long id = nextId++;
            double us = call(id, Wire.text(id, size));
            if (Double.isNaN(us)) {
                r.counts.merge("missing", n - i, Integer::sum);
                System.err.println("bench: no answer to call " + id + " within " + o.timeoutMillis + " ms; phase abandoned");
                return null;
            }
            lat[i] = Math.abs(us);   // a wrong answer is counted, its time still taken
        }
        return lat;
    }

    /** One call and its answer: the latency in µs (negative if the answer was wrong), NaN if none came. */
    private double call(Object id, String text) throws IOException {
        byte[] expected = Wire.echoResponse(id, text, Wire.INTACT);
        long t0 = child.send(Wire.echoRequest(id, text));
        while (true) {
            FrameReader.Frame f = child.receive(o.timeoutMillis);
            if (f == null) return Double.NaN;
            double us = (f.arrivedNanos - t0) / 1000.0;
            if (Arrays.equals(f.body, expected)) return us;
            JsonNode msg = parse(f.body);
            if (msg != null && answeredServerRequest(msg)) continue;
            // one call in flight: whatever else arrives is its answer, however mangled
            if (msg != null) judge(msg, id, text);
            return -us;
        }
    }

    private void pipelined(int m, int window, int size) throws IOException {
        ArrayDeque<Object[]> pending = new ArrayDeque<>();   // {id, text, expected bytes}
        Map<Long, Object[]> byId = new HashMap<>();
        int sent = 0;
        int done = 0;
        long first = 0;
        long last = 0;
        while (done < m) {
            while (sent < m && pending.size() < window) {
                long id = nextId++;
                String text = Wire.text(id, size);
                Object[] p = {id, text, Wire.echoResponse(id, text, Wire.INTACT)};
                pending.add(p);
                byId.put(id, p);
                long t = child.send(Wire.echoRequest(id, text));
                if (first == 0) first = t;
                sent++;
            }
            FrameReader.Frame f = child.receive(o.timeoutMillis);
            if (f == null) {
                r.counts.merge("missing", m - done, Integer::sum);
                System.err.println("bench: pipelined answers stopped after " + done + " of " + m);
                break;
            }
            Object[] head = pending.peek();
            if (Arrays.equals(f.body, (byte[]) head[2])) {
                byId.remove((Long) head[0]);
                pending.poll();
            } else {
                JsonNode msg = parse(f.body);
                if (msg != null && answeredServerRequest(msg)) continue;
                Object[] p = msg != null && msg.path("id").isIntegralNumber() ? byId.get(msg.path("id").asLong()) : null;
                if (p == null) p = head;   // unidentifiable: take it as the oldest call's answer
                if (msg != null) judge(msg, p[0], (String) p[1]);
                byId.remove((Long) p[0]);
                pending.remove(p);
            }
            done++;
            last = f.arrivedNanos;
        }
        if (done > 0 && last > first) r.callsPerSecond = done / ((last - first) / 1e9);
    }

    /** Why an answer that is not byte for byte the expected one is wrong. */
    private void judge(JsonNode msg, Object id, String text) {
        JsonNode got = msg.get("id");
        boolean sameId = got != null && (id instanceof Long ? got.isIntegralNumber() && got.asLong() == (Long) id
                : got.isTextual() && got.asText().equals(id));
        if (!sameId) count("unknown_id");
        else if (msg.has("error") || !msg.path("result").isObject()) count("error");
        else if (!msg.path("result").path("content").path(0).path("text").asText().equals(text)) count("wrong_text");
        else if (Wire.ALTERED.equals(msg.path("result").path("_meta").path("request").asText())) count("request_altered");
        else count("answer_altered");
    }

    /** A notification or a request from the server: answered (requests politely refused) and skipped. */
    private boolean answeredServerRequest(JsonNode msg) throws IOException {
        if (!msg.has("method")) return false;
        if (msg.has("id")) {
            child.send(("{\"jsonrpc\":\"2.0\",\"id\":" + msg.get("id") + ",\"error\":{\"code\":-32601,\"message\":\"not supported\"}}")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return true;
    }

    private JsonNode parse(byte[] body) {
        try {
            JsonNode n = Wire.JSON.readTree(body);
            if (n != null && n.isObject()) return n;
        } catch (IOException e) {
            // counted below
        }
        count("bad_json");
        return null;
    }

    private void count(String what) {
        r.counts.merge(what, 1, Integer::sum);
    }
}
