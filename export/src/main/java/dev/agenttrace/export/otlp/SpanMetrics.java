package dev.agenttrace.export.otlp;

import dev.agenttrace.export.span.Semconv;
import dev.agenttrace.export.span.SpanRecord;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The metrics, recorded from the same spans the traces carry, so the two never disagree:
 * {@code mcp.client.operation.duration} and {@code mcp.client.session.duration} as the
 * conventions name them (seconds, their buckets), and agent-trace's own counters under
 * {@code agent_trace.*} for what the conventions do not cover (tool calls and errors by kind,
 * cost and tokens per session, breaker trips, firewall blocks, dropped telemetry).
 */
public final class SpanMetrics {
    private static final Keys OPERATION_KEYS = new Keys(Semconv.MCP_METHOD_NAME, Semconv.GEN_AI_TOOL_NAME,
            Semconv.GEN_AI_OPERATION_NAME, Semconv.ERROR_TYPE, Semconv.NETWORK_TRANSPORT, Semconv.MCP_PROTOCOL_VERSION,
            Semconv.GEN_AI_PROMPT_NAME, Semconv.RPC_RESPONSE_STATUS_CODE);
    private static final Keys SESSION_KEYS = new Keys(Semconv.NETWORK_TRANSPORT, Semconv.MCP_PROTOCOL_VERSION, Semconv.GEN_AI_AGENT_NAME);
    private static final Keys FIREWALL_KEYS = new Keys(Semconv.GEN_AI_TOOL_NAME, Semconv.GUARDRAIL_MODE, Semconv.GUARDRAIL_ACTION_TYPE);
    private static final Keys TRIP_KEYS = new Keys(Semconv.WATCHER, Semconv.GUARDRAIL_ACTION_TYPE);
    private static final Keys TOOL_KEYS = new Keys(Semconv.GEN_AI_TOOL_NAME);
    private static final Keys ERROR_KEYS = new Keys(Semconv.GEN_AI_TOOL_NAME, Semconv.ERROR_TYPE, Semconv.ERROR_KIND);

    /**
     * A set of attribute keys a metric is recorded by, with the attribute sets already made for
     * the values seen: every call of a tool records the same few sets, so each is built (and
     * sorted, and hashed by the SDK) once, not per call. Bounded: past {@link #MAX_SETS} sets it
     * starts over. Safe on any thread ({@code serve} counts ended sessions on others).
     */
    private static final class Keys {
        static final int MAX_SETS = 2_048;
        final String[] names;
        final List<AttributeKey<String>> keys;
        final java.util.concurrent.ConcurrentHashMap<List<String>, Attributes> sets = new java.util.concurrent.ConcurrentHashMap<>();

        Keys(String... names) {
            this.names = names;
            this.keys = java.util.Arrays.stream(names).map(AttributeKey::stringKey).toList();
        }

        Attributes of(SpanRecord s) {
            String[] values = new String[names.length];
            for (int i = 0; i < names.length; i++) {
                Object v = s.attributes().get(names[i]);
                values[i] = v == null ? null : v.toString();
            }
            List<String> key = java.util.Arrays.asList(values);
            Attributes a = sets.get(key);
            if (a == null) {
                AttributesBuilder b = Attributes.builder();
                for (int i = 0; i < values.length; i++) {
                    if (values[i] != null) {
                        b.put(keys.get(i), values[i]);
                    }
                }
                a = b.build();
                if (sets.size() >= MAX_SETS) {
                    sets.clear();
                }
                sets.put(key, a);
            }
            return a;
        }
    }

    private final DoubleHistogram operation;
    private final DoubleHistogram session;
    private final LongCounter calls;
    private final LongCounter errors;
    private final DoubleHistogram cost;
    private final DoubleHistogram tokens;
    private final LongCounter trips;
    private final LongCounter blocks;
    private final Meter meter;

    public SpanMetrics(MeterProvider provider, LongSupplier dropped) {
        Meter m = provider.meterBuilder(Semconv.SCOPE).setInstrumentationVersion(Version.VALUE)
                .setSchemaUrl(Semconv.SCHEMA_URL).build();
        meter = m;
        operation = m.histogramBuilder("mcp.client.operation.duration").setUnit("s")
                .setDescription("Duration of MCP requests as the proxy forwarded them (request to answer)")
                .setExplicitBucketBoundariesAdvice(Semconv.DURATION_BUCKETS).build();
        session = m.histogramBuilder("mcp.client.session.duration").setUnit("s")
                .setDescription("Duration of recorded MCP sessions")
                .setExplicitBucketBoundariesAdvice(Semconv.DURATION_BUCKETS).build();
        calls = m.counterBuilder("agent_trace.tool.calls").setUnit("{call}").setDescription("Tool calls, by tool").build();
        errors = m.counterBuilder("agent_trace.tool.errors").setUnit("{error}")
                .setDescription("Failed tool calls, by tool, error.type and error kind").build();
        cost = m.histogramBuilder("agent_trace.session.cost").setUnit("USD")
                .setDescription("Estimated cost of a session (real token counts where the trace has them)")
                .setExplicitBucketBoundariesAdvice(List.of(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 50.0)).build();
        tokens = m.histogramBuilder("agent_trace.session.tokens").setUnit("{token}").setDescription("Tokens per session")
                .setExplicitBucketBoundariesAdvice(List.of(1e3, 1e4, 1e5, 1e6, 1e7, 1e8)).build();
        trips = m.counterBuilder("agent_trace.breaker.trips").setUnit("{trip}")
                .setDescription("Circuit-breaker alerts, by watcher and action").build();
        blocks = m.counterBuilder("agent_trace.firewall.decisions").setUnit("{decision}")
                .setDescription("Firewall decisions against a call, by tool, mode and action (block in enforce, allow in shadow)").build();
        m.counterBuilder("agent_trace.telemetry.dropped").setUnit("{item}")
                .setDescription("Telemetry dropped because the collector was down, slow or refusing, or a queue was full")
                .buildWithCallback(o -> o.record(dropped.getAsLong()));
    }

    /**
     * The state now, observed at each collection: sessions this process records that are open,
     * and how many of them have an open breaker (a trip that blocked, paused or killed, and no
     * resume since; {@code health} calls that breaker state {@code open}).
     */
    public void sessionGauges(LongSupplier active, LongSupplier breakersOpen) {
        meter.gaugeBuilder("agent_trace.sessions.active").ofLongs().setUnit("{session}")
                .setDescription("Sessions being recorded now").buildWithCallback(o -> o.record(active.getAsLong()));
        meter.gaugeBuilder("agent_trace.breaker.open").ofLongs().setUnit("{session}")
                .setDescription("Running sessions whose circuit breaker is open (tripped with block, pause or kill; not resumed)")
                .buildWithCallback(o -> o.record(breakersOpen.getAsLong()));
    }

    public void record(SpanRecord s) {
        String op = s.attribute(Semconv.GEN_AI_OPERATION_NAME);
        if (s.parentSpanId() == null) {
            Attributes a = SESSION_KEYS.of(s);
            session.record(s.durationSeconds(), a);
            Object c = s.attributes().get(Semconv.COST_USD);
            if (c instanceof Double d) {
                cost.record(d, a);
            }
            Object t = s.attributes().get(Semconv.TOKENS);
            if (t instanceof Long l) {
                tokens.record(l, a);
            }
            return;
        }
        if (Semconv.OP_RUN_GUARDRAIL.equals(op)) {
            boolean firewall = "agent-trace.firewall".equals(s.attribute(Semconv.GUARDRAIL_COMPONENT));
            if (firewall) {
                blocks.add(1, FIREWALL_KEYS.of(s));
            } else if ("alert".equals(s.attribute("agent_trace.decision.kind"))) {
                trips.add(1, TRIP_KEYS.of(s));
            }
            return;
        }
        if (s.attribute(Semconv.MCP_METHOD_NAME) != null) {
            operation.record(s.durationSeconds(), OPERATION_KEYS.of(s));
        }
        if (Semconv.OP_EXECUTE_TOOL.equals(op)) {
            Attributes tool = TOOL_KEYS.of(s);
            calls.add(1, tool);
            if (s.attribute(Semconv.ERROR_TYPE) != null) {
                errors.add(1, ERROR_KEYS.of(s));
            }
        }
    }
}
