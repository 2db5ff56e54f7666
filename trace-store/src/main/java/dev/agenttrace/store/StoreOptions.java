package dev.agenttrace.store;

/**
 * How a session is written.
 *
 * @param maxPayloadBytes a payload (tool arguments, a tool result, a wire message body) whose
 *                        serialised size is above this is stored as a preview plus its size and
 *                        SHA-256, never whole. Default {@link #DEFAULT_MAX_PAYLOAD_BYTES}.
 * @param previewChars    length of the preview kept for an oversized payload
 * @param redact          remove secrets (see {@link Redactor}) before anything reaches disk
 * @param queueCapacity   work items the writer queue holds before it drops (never blocks)
 * @param queueBytes      bytes of pending payload the queue holds before it drops
 */
public record StoreOptions(int maxPayloadBytes, int previewChars, boolean redact,
                           int queueCapacity, long queueBytes) {
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;
    public static final int DEFAULT_PREVIEW_CHARS = 1024;

    public static StoreOptions defaults() {
        return new StoreOptions(DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_PREVIEW_CHARS, false, 65_536, 256L << 20);
    }

    public StoreOptions withRedact(boolean on) {
        return new StoreOptions(maxPayloadBytes, previewChars, on, queueCapacity, queueBytes);
    }

    public StoreOptions withMaxPayloadBytes(int bytes) {
        return new StoreOptions(bytes, previewChars, redact, queueCapacity, queueBytes);
    }
}
