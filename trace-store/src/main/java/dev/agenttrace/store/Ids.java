package dev.agenttrace.store;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Random ids in agent-strace's shapes: a session id is 16 lowercase hex characters (Python:
 * {@code uuid4().hex[:16]}), an event id 12 ({@code uuid4().hex[:12]}).
 *
 * <p>They only need to be unique within a store, not unguessable, so {@link ThreadLocalRandom}
 * does (no lock, no entropy pool): 64 bits for a session, 48 for an event, which is collision
 * free for any session a proxy will ever record.
 */
public final class Ids {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Ids() {
    }

    /** A new 16-hex session id. */
    public static String sessionId() {
        return hex(ThreadLocalRandom.current().nextLong(), 16);
    }

    /** A new 12-hex event id. */
    public static String eventId() {
        return hex(ThreadLocalRandom.current().nextLong(), 12);
    }

    private static String hex(long bits, int digits) {
        char[] c = new char[digits];
        for (int i = digits - 1; i >= 0; i--) {
            c[i] = HEX[(int) (bits & 0xf)];
            bits >>>= 4;
        }
        return new String(c);
    }
}
