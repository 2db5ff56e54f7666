package dev.agenttrace.export.span;

/**
 * The OpenTelemetry semantic conventions this module follows, pinned: the MCP and GenAI
 * conventions of {@code open-telemetry/semantic-conventions} <b>v1.39.0</b> (MCP first appeared
 * there; {@code docs/gen-ai/mcp.md}, status Development), and the guardrail attributes of
 * {@code semantic-conventions-genai} {@code docs/gen-ai/gen-ai-security.md} (Development), where
 * the GenAI conventions moved later. Everything here is "Development" upstream and may change;
 * a change of version is a change of this class and of the README's table, nowhere else.
 */
public final class Semconv {
    /** Said in the README and sent as the instrumentation scope's schema URL. */
    public static final String VERSION = "1.39.0";
    public static final String SCHEMA_URL = "https://opentelemetry.io/schemas/" + VERSION;
    public static final String SCOPE = "dev.agenttrace";

    public static final String MCP_METHOD_NAME = "mcp.method.name";
    public static final String MCP_SESSION_ID = "mcp.session.id";
    public static final String MCP_PROTOCOL_VERSION = "mcp.protocol.version";
    public static final String MCP_RESOURCE_URI = "mcp.resource.uri";
    public static final String JSONRPC_REQUEST_ID = "jsonrpc.request.id";
    public static final String RPC_RESPONSE_STATUS_CODE = "rpc.response.status_code";
    public static final String ERROR_TYPE = "error.type";
    public static final String NETWORK_TRANSPORT = "network.transport";
    public static final String NETWORK_PROTOCOL_NAME = "network.protocol.name";
    public static final String SERVER_ADDRESS = "server.address";
    public static final String SERVER_PORT = "server.port";

    public static final String GEN_AI_OPERATION_NAME = "gen_ai.operation.name";
    public static final String GEN_AI_TOOL_NAME = "gen_ai.tool.name";
    public static final String GEN_AI_TOOL_CALL_ID = "gen_ai.tool.call.id";
    public static final String GEN_AI_TOOL_CALL_ARGUMENTS = "gen_ai.tool.call.arguments";
    public static final String GEN_AI_TOOL_CALL_RESULT = "gen_ai.tool.call.result";
    public static final String GEN_AI_AGENT_NAME = "gen_ai.agent.name";
    public static final String GEN_AI_PROMPT_NAME = "gen_ai.prompt.name";
    public static final String GEN_AI_REQUEST_MODEL = "gen_ai.request.model";
    public static final String GEN_AI_USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens";
    public static final String GEN_AI_USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens";

    public static final String GUARDRAIL_COMPONENT = "gen_ai.guardrail.component.name";
    public static final String GUARDRAIL_TARGET_TYPE = "gen_ai.guardrail.target.type";
    public static final String GUARDRAIL_TARGET_SUBTYPE = "gen_ai.guardrail.target.subtype";
    public static final String GUARDRAIL_TARGET_ID = "gen_ai.guardrail.target.id";
    public static final String GUARDRAIL_VERDICT_TYPE = "gen_ai.guardrail.verdict.type";
    public static final String GUARDRAIL_VERDICT_REASON = "gen_ai.guardrail.verdict.reason";
    public static final String GUARDRAIL_ACTION_TYPE = "gen_ai.guardrail.action.type";
    public static final String GUARDRAIL_POLICY_RULE_ID = "gen_ai.guardrail.security.policy.rule.id";

    public static final String OP_EXECUTE_TOOL = "execute_tool";
    public static final String OP_RUN_GUARDRAIL = "run_guardrail";
    public static final String TOOL_ERROR = "tool_error";

    /** The conventions' recommended buckets for every {@code mcp.*.duration} histogram, in seconds. */
    public static final java.util.List<Double> DURATION_BUCKETS = java.util.List.of(
            0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0);

    // attributes of our own, under our own prefix (the conventions have none for these)
    public static final String SESSION_ID = "agent_trace.session.id";
    public static final String EVENT_ID = "agent_trace.event.id";
    public static final String COST_USD = "agent_trace.session.cost_usd";
    public static final String TOKENS = "agent_trace.session.tokens";
    public static final String TOOL_CALLS = "agent_trace.session.tool_calls";
    public static final String ERRORS = "agent_trace.session.errors";
    public static final String ERROR_KIND = "agent_trace.error.kind";
    public static final String GUARDRAIL_MODE = "agent_trace.guardrail.mode";
    public static final String WATCHER = "agent_trace.watch.watcher";

    private Semconv() {
    }
}
