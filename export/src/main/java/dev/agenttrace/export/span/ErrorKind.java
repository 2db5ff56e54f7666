package dev.agenttrace.export.span;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What kind of failure a tool error or JSON-RPC error is, for "tool error rate by kind". Judged
 * on the JSON-RPC code first, then on the words of the message (servers rarely use codes for
 * tool failures: they answer {@code isError: true} with a text). The table is in the README;
 * {@code ErrorKindTest} holds the real server texts it was made from.
 */
public enum ErrorKind {
    TIMEOUT, INVALID_ARGS, PERMISSION_DENIED, RATE_LIMITED, NOT_FOUND, UNKNOWN_TOOL, BLOCKED,
    CANCELLED, UNAVAILABLE, PROTOCOL, INTERNAL, OTHER;

    private static final Pattern BLOCKED_TEXT = Pattern.compile(
            "not executed|blocked by (agent-trace|the policy|policy)|policy_violation|agent-trace (firewall|watch)");
    private static final Pattern CANCELLED_TEXT = Pattern.compile("\\bcancel(l)?ed\\b|\\babort(ed)?\\b");
    private static final Pattern TIMEOUT_TEXT = Pattern.compile(
            "time[d ]?\\s?out|timeout|deadline exceeded|etimedout|took too long|\\b504\\b|\\b408\\b");
    private static final Pattern RATE_TEXT = Pattern.compile(
            "rate.?limit|too many requests|\\b429\\b|quota|throttl|slow down|secondary rate");
    private static final Pattern PERMISSION_TEXT = Pattern.compile(
            "permission denied|access (is )?denied|eacces|eperm|forbidden|\\b403\\b|\\b401\\b|unauthori[sz]ed|not allowed"
                    + "|outside (of )?(the )?allowed|operation not permitted|requires authentication|bad credentials");
    private static final Pattern UNKNOWN_TOOL_TEXT = Pattern.compile("unknown tool|tool .{0,80}not found|no such tool");
    private static final Pattern NOT_FOUND_TEXT = Pattern.compile(
            "not found|no such file|enoent|does not exist|doesn't exist|\\b404\\b|cannot find|could not find|unknown resource");
    private static final Pattern INVALID_TEXT = Pattern.compile(
            "invalid (arguments?|params|parameters?|input|value|type)|validation (error|failed)|required (property|parameter|argument)"
                    + "|is required|must be|expected .{0,40}(received|got)|missing (required )?(argument|parameter|field)"
                    + "|input validation|schema|not a valid|unexpected (argument|property)|invalid_type");
    private static final Pattern UNAVAILABLE_TEXT = Pattern.compile(
            "econnrefused|connection refused|unavailable|\\b50[23]\\b|bad gateway|econnreset|network (error|is unreachable)"
                    + "|enotfound|getaddrinfo|socket hang up");

    /**
     * @param code    the JSON-RPC error code, or null for an {@code isError} result or a hook error
     * @param message the error text (the result's text, the JSON-RPC message)
     */
    public static ErrorKind classify(Integer code, String message) {
        String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
        if (BLOCKED_TEXT.matcher(m).find()) {
            return BLOCKED;
        }
        if (code != null) {
            switch (code) {
                case -32601 -> {
                    return m.contains("tool") ? UNKNOWN_TOOL : PROTOCOL;
                }
                case -32700, -32600 -> {
                    return PROTOCOL;
                }
                case -32002 -> {
                    return NOT_FOUND;
                }
                case -32001 -> {
                    return TIMEOUT; // the SDKs' request timeout
                }
                case -32800 -> {
                    return CANCELLED;
                }
                case -32602 -> {
                    if (UNKNOWN_TOOL_TEXT.matcher(m).find()) {
                        return UNKNOWN_TOOL;
                    }
                    if (NOT_FOUND_TEXT.matcher(m).find() && !INVALID_TEXT.matcher(m).find()) {
                        return NOT_FOUND;
                    }
                    return INVALID_ARGS;
                }
                default -> {
                    // judged on the text below
                }
            }
        }
        if (CANCELLED_TEXT.matcher(m).find()) {
            return CANCELLED;
        }
        if (TIMEOUT_TEXT.matcher(m).find()) {
            return TIMEOUT;
        }
        if (RATE_TEXT.matcher(m).find()) {
            return RATE_LIMITED;
        }
        if (PERMISSION_TEXT.matcher(m).find()) {
            return PERMISSION_DENIED;
        }
        if (UNKNOWN_TOOL_TEXT.matcher(m).find()) {
            return UNKNOWN_TOOL;
        }
        if (INVALID_TEXT.matcher(m).find()) {
            return INVALID_ARGS;
        }
        if (NOT_FOUND_TEXT.matcher(m).find()) {
            return NOT_FOUND;
        }
        if (UNAVAILABLE_TEXT.matcher(m).find()) {
            return UNAVAILABLE;
        }
        if (code != null && code == -32603) {
            return INTERNAL;
        }
        return OTHER;
    }
}
