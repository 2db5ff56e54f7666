package dev.agenttrace.export.span;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Deterministic ids, so that a session exported twice (live, then again with
 * {@code agent-trace export}) yields the same trace and span ids and a backend that keys on them
 * does not double it. The trace id is agent-strace's ({@code sha256(session_id)[:32]}), so its
 * own OTLP export of a session lands in the same trace.
 */
public final class SpanIds {
    private SpanIds() {
    }

    public static String traceId(String sessionId) {
        return hex(sha256(sessionId), 16);
    }

    /** The session span. */
    public static String sessionSpanId(String sessionId) {
        return spanId(sessionId, "session");
    }

    /** The span of the event {@code eventId} (a call, a request record, a decision). */
    public static String spanId(String sessionId, String eventId) {
        byte[] h = sha256(sessionId + "/" + eventId);
        if (allZero(h, 8)) {
            h[7] = 1; // an all-zero span id is invalid in OTLP
        }
        return hex(h, 8);
    }

    private static boolean allZero(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** One digest per thread: looking the algorithm up costs more than hashing a short id (live export: two ids a call). */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private static byte[] sha256(String s) {
        return SHA256.get().digest(s.getBytes(StandardCharsets.UTF_8)); // digest resets it
    }

    private static String hex(byte[] b, int n) {
        byte[] out = new byte[n * 2];
        for (int i = 0; i < n; i++) {
            out[2 * i] = HEX[(b[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[b[i] & 0xf];
        }
        return new String(out, StandardCharsets.US_ASCII);
    }
}
