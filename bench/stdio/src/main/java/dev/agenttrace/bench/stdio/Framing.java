package dev.agenttrace.bench.stdio;

import java.nio.charset.StandardCharsets;

/** The two stdio framings MCP peers use: newline-delimited JSON (the spec) and LSP-style Content-Length. */
enum Framing {
    NEWLINE, CONTENT_LENGTH;

    static Framing parse(String s) {
        switch (s) {
            case "newline": return NEWLINE;
            case "content-length": return CONTENT_LENGTH;
            default: throw new IllegalArgumentException("unknown framing '" + s + "': use newline or content-length");
        }
    }

    /** The whole frame in one array, so that it goes out in one write. */
    byte[] frame(byte[] body) {
        if (this == NEWLINE) {
            byte[] f = new byte[body.length + 1];
            System.arraycopy(body, 0, f, 0, body.length);
            f[body.length] = '\n';
            return f;
        }
        byte[] head = ("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] f = new byte[head.length + body.length];
        System.arraycopy(head, 0, f, 0, head.length);
        System.arraycopy(body, 0, f, head.length, body.length);
        return f;
    }

    String label() {
        return this == NEWLINE ? "newline" : "content-length";
    }
}
