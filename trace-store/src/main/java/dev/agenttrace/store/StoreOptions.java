package dev.agenttrace.store;

import java.util.Map;

/**
 * How a session is written.
 *
 * @param maxPayloadBytes a payload (tool arguments, a tool result, a wire message body) whose
 *                        serialised size is above this is stored as a preview plus its size and
 *                        SHA-256, never whole. Default {@link #DEFAULT_MAX_PAYLOAD_BYTES}.
 * @param previewChars    length of the preview kept for an oversized payload
 * @param redact          remove secrets (see {@link dev.agenttrace.store.redact.Redactor}) before
 *                        anything reaches disk
 * @param queueCapacity   work items the writer queue holds before it drops (never blocks); by
 *                        default so many that {@code queueBytes} is the bound that matters
 * @param queueBytes      bytes of pending work (its payloads and their bookkeeping) the queue holds
 *                        before it drops. Default {@link #DEFAULT_QUEUE_BYTES}, or
 *                        {@code AGENT_TRACE_WRITER_QUEUE_BYTES}
 * @param pseudonyms      with {@code redact}: a secret becomes {@code [REDACTED:kind:xxxx]}, a keyed
 *                        hash under the store's own key, so equal secrets correlate
 * @param maxSessionBytes a session's files ({@code events.ndjson} + {@code messages.ndjson}) stop
 *                        growing here; what is cut is counted in the meta. 0: no cap
 * @param maxStoreBytes   no session grows the store's sessions past this (measured when the
 *                        session starts, plus what it writes). 0: no cap
 */
public record StoreOptions(int maxPayloadBytes, int previewChars, boolean redact,
                           int queueCapacity, long queueBytes, boolean pseudonyms,
                           long maxSessionBytes, long maxStoreBytes) {
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;
    public static final int DEFAULT_PREVIEW_CHARS = 1024;
    /** 512 MiB: a day of heavy agent work is a few MiB; a flooding server is cut here. */
    public static final long DEFAULT_MAX_SESSION_BYTES = 512L << 20;
    /** 4 GiB of sessions in one store. */
    public static final long DEFAULT_MAX_STORE_BYTES = 4L << 30;
    /**
     * 128 MiB: what a session's writer (and the backlog kept before its trace opens) may hold in
     * memory. A flood of 100,000 pipelined small calls counts about 72 MB (two messages of 150 and
     * 250 bytes, each with 160 bytes of bookkeeping) if the writer wrote none of it meanwhile,
     * which a starved writer on two busy cores nearly does: at 64 MiB, 2 of 8 such floods at load
     * averages of 7-9 overflowed by a few thousand messages. A backlog this size is written in
     * seconds once the flood ends.
     */
    public static final long DEFAULT_QUEUE_BYTES = 128L << 20;
    /**
     * Items, not bytes: only a guard against work that claims to weigh nothing. An item is at
     * least about 100 bytes of heap, so the byte budget is reached first.
     */
    public static final int DEFAULT_QUEUE_ITEMS = 1 << 22;
    public static final String ENV_QUEUE_BYTES = "AGENT_TRACE_WRITER_QUEUE_BYTES";
    public static final String ENV_MAX_SESSION_BYTES = "AGENT_TRACE_MAX_SESSION_BYTES";
    public static final String ENV_MAX_STORE_BYTES = "AGENT_TRACE_MAX_STORE_BYTES";
    public static final String ENV_PSEUDONYMS = "AGENT_TRACE_REDACT_PSEUDONYMS";

    public StoreOptions(int maxPayloadBytes, int previewChars, boolean redact, int queueCapacity, long queueBytes) {
        this(maxPayloadBytes, previewChars, redact, queueCapacity, queueBytes, false, 0, 0);
    }

    /**
     * The defaults, with the size caps and pseudonyms taken from {@code AGENT_TRACE_MAX_SESSION_BYTES},
     * {@code AGENT_TRACE_MAX_STORE_BYTES} (bytes, or with a K/M/G suffix; 0 turns a cap off) and
     * {@code AGENT_TRACE_REDACT_PSEUDONYMS=1} when set.
     *
     * @throws IllegalArgumentException a variable holds something that is not a size
     */
    public static StoreOptions defaults() {
        return fromEnvironment(System.getenv());
    }

    public static StoreOptions fromEnvironment(Map<String, String> env) {
        return new StoreOptions(DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_PREVIEW_CHARS, false, DEFAULT_QUEUE_ITEMS,
                queueBytesOrThrow(env),
                isOn(env.get(ENV_PSEUDONYMS)),
                size(env, ENV_MAX_SESSION_BYTES, DEFAULT_MAX_SESSION_BYTES),
                size(env, ENV_MAX_STORE_BYTES, DEFAULT_MAX_STORE_BYTES));
    }

    /**
     * The writer queue's byte budget from {@code AGENT_TRACE_WRITER_QUEUE_BYTES}, or the default
     * when it is unset or not a size (for a caller that must not fail on it: the store's own
     * {@link #fromEnvironment} reports a bad value).
     */
    public static long queueBytes(Map<String, String> env) {
        try {
            return queueBytesOrThrow(env);
        } catch (IllegalArgumentException e) {
            return DEFAULT_QUEUE_BYTES;
        }
    }

    /** 0 (which turns the size caps off) means the default here: a queue of no bytes would drop everything. */
    private static long queueBytesOrThrow(Map<String, String> env) {
        long b = size(env, ENV_QUEUE_BYTES, DEFAULT_QUEUE_BYTES);
        return b == 0 ? DEFAULT_QUEUE_BYTES : b;
    }

    public StoreOptions withQueue(int items, long bytes) {
        return new StoreOptions(maxPayloadBytes, previewChars, redact, items, bytes, pseudonyms,
                maxSessionBytes, maxStoreBytes);
    }

    public StoreOptions withRedact(boolean on) {
        return new StoreOptions(maxPayloadBytes, previewChars, on, queueCapacity, queueBytes, pseudonyms,
                maxSessionBytes, maxStoreBytes);
    }

    public StoreOptions withMaxPayloadBytes(int bytes) {
        return new StoreOptions(bytes, previewChars, redact, queueCapacity, queueBytes, pseudonyms,
                maxSessionBytes, maxStoreBytes);
    }

    public StoreOptions withPseudonyms(boolean on) {
        return new StoreOptions(maxPayloadBytes, previewChars, redact, queueCapacity, queueBytes, on,
                maxSessionBytes, maxStoreBytes);
    }

    public StoreOptions withSizeCaps(long sessionBytes, long storeBytes) {
        return new StoreOptions(maxPayloadBytes, previewChars, redact, queueCapacity, queueBytes, pseudonyms,
                Math.max(0, sessionBytes), Math.max(0, storeBytes));
    }

    private static boolean isOn(String v) {
        return v != null && (v.equals("1") || v.equalsIgnoreCase("true") || v.equalsIgnoreCase("on"));
    }

    /** {@code 1048576}, {@code 512K}, {@code 64M}, {@code 2G}. */
    static long size(Map<String, String> env, String name, long dflt) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        String t = v.trim().toUpperCase(java.util.Locale.ROOT);
        long mult = 1;
        char last = t.charAt(t.length() - 1);
        if (last == 'B' && t.length() > 1 && "KMG".indexOf(t.charAt(t.length() - 2)) >= 0) {
            t = t.substring(0, t.length() - 1);
            last = t.charAt(t.length() - 1);
        }
        if (last == 'K' || last == 'M' || last == 'G') {
            mult = last == 'K' ? 1L << 10 : last == 'M' ? 1L << 20 : 1L << 30;
            t = t.substring(0, t.length() - 1);
        }
        try {
            long n = Long.parseLong(t.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(name + "='" + v + "' is not a size; use bytes or a K, M or G suffix"
                    + " (e.g. " + name + "=512M), or 0 for no cap");
        }
    }
}
