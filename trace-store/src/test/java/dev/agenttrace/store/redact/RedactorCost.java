package dev.agenttrace.store.redact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.TraceJson;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What redaction costs the trace writer per event (CPU time of the measuring thread), median of
 * rounds (run by hand, not a test: timings belong to the machine). See bench/README.md,
 * "Redaction cost": to compare with another version, run the same command on each checkout.
 *
 * <pre>
 * mvn -B -ntp -q -pl trace-store test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp trace-store/target/classes:trace-store/target/test-classes:$(cat /tmp/cp.txt) \
 *     dev.agenttrace.store.redact.RedactorCost [rounds=7] [millis per measurement=300]
 * </pre>
 */
public final class RedactorCost {
    /** CPU time of this thread, not wall time: the machine is shared, and waiting for a core is not redaction. */
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    private RedactorCost() {
    }

    /** A named set of event data, each redacted once per operation. */
    record Workload(String name, List<JsonNode> events) {
        int chars() {
            int n = 0;
            for (JsonNode e : events) {
                n += TraceJson.compact(e).length();
            }
            return n / events.size();
        }
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        long millis = args.length > 1 ? Long.parseLong(args[1]) : 300;
        List<Workload> loads = new ArrayList<>(workloads());
        String only = System.getProperty("only"); // -Donly=source: the workloads whose name holds it
        if (only != null) {
            loads.removeIf(w -> !w.name().contains(only));
        }
        UnaryOperator<JsonNode> redact = Redactor::redact;
        long[][] ns = new long[loads.size()][rounds];
        // warm up on everything, twice over: the JIT's last tier takes a few seconds
        for (int pass = 0; pass < 2; pass++) {
            for (Workload w : loads) {
                time(redact, w, millis);
            }
        }
        for (int r = 0; r < rounds; r++) {
            for (int w = 0; w < loads.size(); w++) {
                ns[w][r] = time(redact, loads.get(w), millis);
            }
        }
        System.out.printf("%-28s %7s %14s %14s%n", "workload (ns per event)", "chars", "p50", "min");
        for (int w = 0; w < loads.size(); w++) {
            System.out.printf("%-28s %7d %,14d %,14d%n", loads.get(w).name(), loads.get(w).chars(), median(ns[w]), min(ns[w]));
            if (Boolean.getBoolean("rounds")) {
                System.out.println("    " + Arrays.toString(ns[w]));
            }
        }
    }

    private static long time(UnaryOperator<JsonNode> f, Workload w, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        long ops = 0;
        long t0 = CPU.getCurrentThreadCpuTime();
        long sink = 0;
        do {
            for (int i = 0; i < 64; i++) {
                for (JsonNode e : w.events()) {
                    sink += f.apply(e).size();
                }
                ops += w.events().size();
            }
        } while (System.nanoTime() < deadline);
        long per = (CPU.getCurrentThreadCpuTime() - t0) / ops;
        if (sink == 42) {
            System.out.print("");
        }
        return per;
    }

    private static long median(long[] v) {
        long[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    private static long min(long[] v) {
        return Arrays.stream(v).min().orElse(0);
    }

    static List<Workload> workloads() throws Exception {
        List<Workload> out = new ArrayList<>();
        out.add(new Workload("(a) stdio echo, 100 chars", echo(100)));
        out.add(new Workload("(a) stdio echo, 1 KiB", echo(1024)));
        out.add(new Workload("(b) MCP source file", List.of(result(SOURCE))));
        out.add(new Workload("(b) MCP JSON listing", List.of(result(JSON_LISTING))));
        out.add(new Workload("(b) MCP dir + shell", List.of(result(DIR_LISTING), result(SHELL_OUTPUT), call("run", "command", "git log --oneline -n 20 && mvn -q test"))));
        List<JsonNode> secrets = new ArrayList<>();
        for (String[] row : RedactorTest.SECRETS) {
            secrets.add(call("exec", "text", row[0]));
        }
        out.add(new Workload("(c) secrets of RedactorTest", secrets));
        List<JsonNode> lookAlikes = new ArrayList<>();
        for (String s : RedactorTest.LOOK_ALIKES) {
            lookAlikes.add(call("exec", "text", s));
        }
        out.add(new Workload("(c) look-alikes", lookAlikes));
        return out;
    }

    /** The three records the stdio proxy writes for one echo call: tool_call, tool_result, one wire record. */
    static List<JsonNode> echo(int size) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (long id = 999; id < 1003; id++) {
            String text = echoText(id, size);
            out.add(TraceJson.mapper().readTree("{\"tool_name\":\"echo\",\"arguments\":{\"text\":\"" + text + "\"},\"request_id\":" + id + "}"));
            ObjectNode r = (ObjectNode) result(text);
            r.put("request_id", id);
            out.add(r);
            out.add(TraceJson.mapper().readTree("{\"direction\":\"server_to_client\",\"framing\":\"newline\",\"bytes\":204,"
                    + "\"kind\":\"response\",\"request_id\":" + id + ",\"method\":\"tools/call\",\"event_id\":\"663b5ec04fc0\"}"));
        }
        return out;
    }

    /** The benchmark's echo text (bench/stdio Wire.text). */
    static String echoText(long id, int size) {
        StringBuilder b = new StringBuilder(size + 36);
        b.append(String.format("%08d:", id));
        while (b.length() < size) {
            b.append("abcdefghijklmnopqrstuvwxyz0123456789");
        }
        b.setLength(size);
        return b.toString();
    }

    /** A tool_result's data as the proxy records it: a preview and the result itself. */
    static JsonNode result(String text) {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("request_id", 17);
        r.putArray("content_types").add("text");
        r.put("content_preview", text);
        r.put("is_error", false);
        r.put("tool_name", "echo");
        ObjectNode res = r.putObject("result");
        res.putArray("content").addObject().put("type", "text").put("text", text);
        res.putObject("_meta").put("request", "intact");
        return r;
    }

    static JsonNode call(String tool, String arg, String value) {
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.put("tool_name", tool);
        c.putObject("arguments").put(arg, value);
        c.put("request_id", 17);
        return c;
    }

    static final String SOURCE = """
            package com.example.orders;

            import java.time.Instant;
            import java.util.HashMap;
            import java.util.List;
            import java.util.Map;
            import java.util.Optional;

            /** Keeps orders in memory, keyed by id; the service layer persists them. */
            public final class OrderRepository {
                private final Map<String, Order> byId = new HashMap<>();
                private final Clock clock;

                public OrderRepository(Clock clock) {
                    this.clock = clock;
                }

                public Optional<Order> find(String id) {
                    return Optional.ofNullable(byId.get(id));
                }

                public Order save(Order order) {
                    Order stamped = order.withUpdatedAt(clock.now());
                    byId.put(stamped.id(), stamped);
                    return stamped;
                }

                public List<Order> byCustomer(String customerId) {
                    return byId.values().stream()
                            .filter(o -> o.customerId().equals(customerId))
                            .sorted((a, b) -> a.createdAt().compareTo(b.createdAt()))
                            .toList();
                }

                /** The key of the cache entry for one customer's open orders. */
                static String cacheKey(String customerId) {
                    return "orders:open:" + customerId;
                }

                public int removeOlderThan(Instant cutoff) {
                    int before = byId.size();
                    byId.values().removeIf(o -> o.updatedAt().isBefore(cutoff));
                    return before - byId.size();
                }

                record Order(String id, String customerId, long totalCents, Instant createdAt, Instant updatedAt) {
                    Order withUpdatedAt(Instant t) {
                        return new Order(id, customerId, totalCents, createdAt, t);
                    }
                }

                interface Clock {
                    Instant now();
                }
            }
            """.repeat(2);

    static final String JSON_LISTING = """
            {"total_count": 3, "incomplete_results": false, "items": [
              {"name": "OrderRepository.java", "path": "src/main/java/com/example/orders/OrderRepository.java",
               "sha": "3f786850e387550fdab836ed7e6dc881de23001b", "url": "https://api.github.com/repos/acme/shop/contents/src/main/java/com/example/orders/OrderRepository.java?ref=main",
               "git_url": "https://api.github.com/repos/acme/shop/git/blobs/3f786850e387550fdab836ed7e6dc881de23001b",
               "html_url": "https://github.com/acme/shop/blob/main/src/main/java/com/example/orders/OrderRepository.java",
               "repository": {"id": 123456789, "node_id": "R_kgDOHxyz12", "name": "shop", "full_name": "acme/shop", "private": false},
               "score": 1.0},
              {"name": "OrderService.java", "path": "src/main/java/com/example/orders/OrderService.java",
               "sha": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4", "url": "https://api.github.com/repos/acme/shop/contents/src/main/java/com/example/orders/OrderService.java?ref=main",
               "git_url": "https://api.github.com/repos/acme/shop/git/blobs/e3b0c44298fc1c149afbf4c8996fb92427ae41e4",
               "html_url": "https://github.com/acme/shop/blob/main/src/main/java/com/example/orders/OrderService.java",
               "repository": {"id": 123456789, "node_id": "R_kgDOHxyz12", "name": "shop", "full_name": "acme/shop", "private": false},
               "score": 0.8},
              {"name": "application.yml", "path": "src/main/resources/application.yml",
               "sha": "550e8400e29b41d4a716446655440000abcdef12", "url": "https://api.github.com/repos/acme/shop/contents/src/main/resources/application.yml?ref=main",
               "git_url": "https://api.github.com/repos/acme/shop/git/blobs/550e8400e29b41d4a716446655440000abcdef12",
               "html_url": "https://github.com/acme/shop/blob/main/src/main/resources/application.yml",
               "repository": {"id": 123456789, "node_id": "R_kgDOHxyz12", "name": "shop", "full_name": "acme/shop", "private": false},
               "score": 0.5}
            ]}
            """;

    static final String DIR_LISTING = """
            [DIR] .github
            [FILE] .gitignore
            [FILE] README.md
            [FILE] package.json
            [FILE] package-lock.json
            [DIR] src
            [DIR] src/components
            [FILE] src/components/Button.tsx
            [FILE] src/components/Modal.tsx
            [FILE] src/index.ts
            [FILE] src/server.ts
            [DIR] test
            [FILE] test/server.test.ts
            [FILE] tsconfig.json
            """;

    static final String SHELL_OUTPUT = """
            a1b2c3d Fix the retry loop when the upstream answers 503
            9f8e7d6 Add an index on orders.customer_id
            5a4b3c2 Bump jackson to 2.21.8
            [INFO] Scanning for projects...
            [INFO] -------------------------------------------------------
            [INFO]  T E S T S
            [INFO] -------------------------------------------------------
            [INFO] Running com.example.orders.OrderRepositoryTest
            [INFO] Tests run: 12, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.412 s
            [INFO] Running com.example.orders.OrderServiceTest
            [INFO] Tests run: 31, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 1.208 s
            [INFO] BUILD SUCCESS
            """;
}
