package dev.agenttrace.proxy.http;

import java.util.Locale;

/** Which MCP HTTP transport the upstream speaks. */
public enum Transport {
    /** Streamable HTTP (2025-03-26 and later): one endpoint for POST, GET and DELETE. */
    STREAMABLE,
    /** Legacy HTTP+SSE (2024-11-05): {@code GET /sse} announces a POST endpoint in an {@code endpoint} event. */
    SSE;

    public static Transport parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "streamable", "streamable-http", "http" -> STREAMABLE;
            case "sse", "legacy" -> SSE;
            default -> throw new IllegalArgumentException("'" + s + "' is not a transport: use streamable or sse");
        };
    }

    public String label() {
        return this == STREAMABLE ? "streamable-http" : "sse";
    }
}
