package dev.agenttrace.proxy.stdio;

/**
 * Settings of one stdio proxy run.
 *
 * @param maxMessageBytes largest message body forwarded in either direction
 * @param maxHeaderBytes  largest Content-Length header block
 * @param graceMillis     how long the server gets after its stdin closes before SIGTERM, and
 *                        again after SIGTERM before SIGKILL
 * @param clientFraming   framing to use towards the client, or null to mirror what it sends
 * @param serverFraming   framing to use towards the server, or null to detect it
 */
public record ProxyOptions(int maxMessageBytes, int maxHeaderBytes, long graceMillis,
                           Framing clientFraming, Framing serverFraming) {
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 << 20;
    public static final int DEFAULT_MAX_HEADER_BYTES = 16 << 10;
    public static final long DEFAULT_GRACE_MILLIS = 2000;

    public static ProxyOptions defaults() {
        return new ProxyOptions(DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_HEADER_BYTES, DEFAULT_GRACE_MILLIS, null, null);
    }
}
