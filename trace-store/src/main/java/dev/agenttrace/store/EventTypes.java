package dev.agenttrace.store;

import java.util.Set;

/**
 * Event types. {@code events.ndjson} carries only the twelve types the Python agent-strace knows:
 * its reader calls {@code EventType(value)} and raises on anything else, so a new type there would
 * make every Python tool fail on our sessions. What this product adds (the wire log of every
 * JSON-RPC message) goes to the sidecar {@code messages.ndjson}, which Python ignores.
 */
public final class EventTypes {
    public static final String SESSION_START = "session_start";
    public static final String SESSION_END = "session_end";
    public static final String TOOL_CALL = "tool_call";
    public static final String TOOL_RESULT = "tool_result";
    public static final String LLM_REQUEST = "llm_request";
    public static final String LLM_RESPONSE = "llm_response";
    public static final String FILE_READ = "file_read";
    public static final String FILE_WRITE = "file_write";
    public static final String DECISION = "decision";
    public static final String ERROR = "error";
    public static final String USER_PROMPT = "user_prompt";
    public static final String ASSISTANT_RESPONSE = "assistant_response";

    /** The types agent-strace 0.32 accepts in events.ndjson. */
    public static final Set<String> AGENT_STRACE = Set.of(SESSION_START, SESSION_END, TOOL_CALL,
            TOOL_RESULT, LLM_REQUEST, LLM_RESPONSE, FILE_READ, FILE_WRITE, DECISION, ERROR,
            USER_PROMPT, ASSISTANT_RESPONSE);

    /** Sidecar only ({@code messages.ndjson}): one record per JSON-RPC message on the wire. */
    public static final String MCP_MESSAGE = "mcp_message";

    private EventTypes() {
    }
}
