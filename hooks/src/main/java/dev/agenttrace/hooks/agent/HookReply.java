package dev.agenttrace.hooks.agent;

import java.nio.charset.StandardCharsets;

/**
 * An answer to one hook, in both forms: the HTTP hook gets {@code httpStatus} and {@code body};
 * the command form prints {@code body} on stdout, {@code stderr} on stderr and exits with
 * {@code exitCode}.
 *
 * @param httpStatus 200 for every answer the agent should act on (agents ignore the body of any other status)
 * @param body       the JSON the agent reads (only JSON: its first byte is '{')
 * @param exitCode   the command form's exit code (2 blocks for agents that read it that way)
 * @param stderr     a line for the command form's stderr, or null
 */
public record HookReply(int httpStatus, byte[] body, int exitCode, String stderr) {
    public static final byte[] EMPTY_OBJECT = "{}".getBytes(StandardCharsets.US_ASCII);

    /** "No objection", in every agent's protocol. */
    public static HookReply ok() {
        return new HookReply(200, EMPTY_OBJECT, 0, null);
    }

    public static HookReply json(byte[] body) {
        return new HookReply(200, body, 0, null);
    }

    /**
     * A payload agent-trace cannot use (not JSON, no session id): a 400 whose body says why. The
     * agent treats it as a failed hook; the command form exits 1 (a non-blocking error for every agent).
     */
    public static HookReply badInput(String message) {
        String quoted = new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(message));
        return new HookReply(400, ("{\"error\":\"" + quoted + "\"}").getBytes(StandardCharsets.UTF_8), 1, "agent-trace: " + message);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
