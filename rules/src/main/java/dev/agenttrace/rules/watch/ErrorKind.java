package dev.agenttrace.rules.watch;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What went wrong in a failed call, read from the JSON-RPC error code and the message (or the text
 * of an {@code isError} result): servers rarely agree on codes, so the words decide first and the
 * code only when they say nothing. Order matters: "rate limit exceeded (timeout 30s)" is rate limiting.
 */
public enum ErrorKind {
    RATE_LIMITED(Pattern.compile("rate[ _-]?limit|too many requests|\\b429\\b|quota|throttl", Pattern.CASE_INSENSITIVE)),
    TIMEOUT(Pattern.compile("time[ds]?[ _-]?out|deadline exceeded|etimedout|\\b(408|504)\\b", Pattern.CASE_INSENSITIVE)),
    PERMISSION(Pattern.compile("permission|eacces|eperm|access (is )?denied|forbidden|not permitted|unauthori[sz]ed"
            + "|not allowed|outside (of )?(the )?allowed|blocked by|\\b(401|403)\\b", Pattern.CASE_INSENSITIVE)),
    INVALID_ARGUMENTS(Pattern.compile("invalid (param|arg|input|request|value)|missing required|required (param|argument|property)"
            + "|validation (error|failed)|does not match (the )?schema|expected .{1,40} (got|but|received)|must be (a|an|of) "
            + "|unexpected (argument|keyword|property)", Pattern.CASE_INSENSITIVE)),
    NOT_FOUND(Pattern.compile("not found|no such (file|dir|tool|resource)|enoent|does not exist|doesn't exist|unknown (tool|method|resource)"
            + "|\\b404\\b", Pattern.CASE_INSENSITIVE)),
    OTHER(null);

    private final Pattern words;

    ErrorKind(Pattern words) {
        this.words = words;
    }

    /** {@code timeout}, {@code invalid_arguments}, {@code permission}, {@code rate_limited}, {@code not_found}, {@code other}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind with that spelling, or null. */
    public static ErrorKind fromWireName(String s) {
        for (ErrorKind k : values()) {
            if (k.wireName().equals(s)) {
                return k;
            }
        }
        return null;
    }

    /**
     * @param code a JSON-RPC error code (or an HTTP status a server put there), or null
     * @param text the error message or the failed result's text, or null
     */
    public static ErrorKind classify(Integer code, String text) {
        // the words first: MCP answers an unknown tool with -32602 "Unknown tool: x", which is "not found"
        if (text != null && !text.isEmpty()) {
            String t = text.length() > 2_000 ? text.substring(0, 2_000) : text;
            for (ErrorKind k : values()) {
                if (k.words != null && k.words.matcher(t).find()) {
                    return k;
                }
            }
        }
        if (code == null) {
            return OTHER;
        }
        return switch (code) {
            case -32602 -> INVALID_ARGUMENTS;
            case -32601, 404 -> NOT_FOUND;
            case -32001, 408, 504 -> TIMEOUT;
            case 429 -> RATE_LIMITED;
            case 401, 403 -> PERMISSION;
            default -> OTHER;
        };
    }
}
