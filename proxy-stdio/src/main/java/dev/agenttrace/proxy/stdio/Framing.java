package dev.agenttrace.proxy.stdio;

/** How a peer delimits JSON-RPC messages on a byte stream. */
public enum Framing {
    /** One JSON value per line (the MCP stdio transport). */
    NEWLINE("newline"),
    /** LSP-style {@code Content-Length: N} headers, a blank line, then N bytes of body. */
    CONTENT_LENGTH("content-length");

    private final String label;

    Framing(String label) {
        this.label = label;
    }

    /** The name used in traces and on the command line. */
    public String label() {
        return label;
    }

    public static Framing parse(String s) {
        for (Framing f : values()) {
            if (f.label.equalsIgnoreCase(s)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown framing '" + s + "': use newline or content-length");
    }
}
