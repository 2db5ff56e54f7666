package dev.agenttrace.proxy.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * What {@code agent-trace record-http} is told.
 *
 * @param upstream              the endpoint a client would use without the proxy ({@code http://host/mcp},
 *                              {@code https://host/sse}); the proxy serves the same path on its own port
 * @param transport             what the upstream speaks, or null to find out per stream: a {@code GET} on
 *                              the endpoint whose event stream opens with an {@code endpoint} event is
 *                              the legacy transport, everything else Streamable HTTP
 * @param bindHost              the address to listen on (127.0.0.1 unless the user says otherwise)
 * @param port                  the port to listen on; 0 picks a free one
 * @param maxBodyBytes          largest request body accepted (413 beyond), and largest SSE event relayed
 * @param maxHeaderBytes        largest request header block accepted (431 beyond)
 * @param requestIdleMillis     a client connection that sends nothing for this long while no response is
 *                              streaming is closed (408 if a request was half sent)
 * @param upstreamTimeoutMillis the upstream must start its response within this long, and a JSON body
 *                              must not pause longer (504 otherwise)
 * @param streamIdleMillis      an SSE response to a POST that is silent this long is ended with a JSON-RPC
 *                              error for the pending request; 0: never. GET streams never time out.
 * @param connectTimeoutMillis  connecting to the upstream
 * @param sessionIdleMillis     a Streamable HTTP session with no traffic and no open stream for this long
 *                              gets its session_end (clients rarely send DELETE); 0: only DELETE, a 404
 *                              from the upstream or the proxy's end close sessions
 * @param allowedHosts          host names besides the loopback names and the bind address that clients
 *                              may put in {@code Host} (with the proxy's port) and in {@code Origin}: the
 *                              names a proxy bound to another interface is reached by ({@code --allow-host})
 *
 * <p>Checked once, here, whoever builds them (the CLI, a test, an embedding program): an invalid
 * value is an {@link IllegalArgumentException} whose message a user can act on.
 */
public record HttpProxyOptions(URI upstream, Transport transport, String bindHost, int port, int maxBodyBytes,
                               int maxHeaderBytes, long requestIdleMillis, long upstreamTimeoutMillis,
                               long streamIdleMillis, long connectTimeoutMillis, long sessionIdleMillis,
                               java.util.List<String> allowedHosts) {
    public static final int DEFAULT_PORT = 3100;
    public static final int DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
    public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
    public static final long DEFAULT_REQUEST_IDLE_MILLIS = 60_000;
    public static final long DEFAULT_UPSTREAM_TIMEOUT_MILLIS = 120_000;
    public static final long DEFAULT_STREAM_IDLE_MILLIS = 0;
    public static final long DEFAULT_CONNECT_TIMEOUT_MILLIS = 10_000;
    public static final long DEFAULT_SESSION_IDLE_MILLIS = 30 * 60_000;

    public HttpProxyOptions {
        String scheme = upstream.getScheme() == null ? "" : upstream.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || upstream.getHost() == null) {
            throw new IllegalArgumentException("'" + upstream + "' is not an http(s) URL with a host: "
                    + "give the server's endpoint, e.g. http://127.0.0.1:3001/mcp");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port " + port + " is not a port: use 1-65535 (or 0 for any free port)");
        }
        if (maxBodyBytes < 1024 || maxHeaderBytes < 1024) {
            throw new IllegalArgumentException("--max-body-bytes and --max-header-bytes must be at least 1024");
        }
        for (String h : allowedHosts) {
            if (h.isBlank() || h.contains("/") || h.contains("@") || h.chars().anyMatch(Character::isWhitespace)
                    || (h.startsWith("[") && !h.endsWith("]"))
                    || (h.contains(":") && !h.startsWith("[") && h.indexOf(':') == h.lastIndexOf(':'))) {
                throw new IllegalArgumentException("--allow-host '" + h + "' is not a host name: give the name alone "
                        + "(mcp.example.lan, 192.168.1.20, [fd00::2]), without scheme, port or path");
            }
        }
        allowedHosts = java.util.List.copyOf(allowedHosts);
    }

    /** The upstream endpoint as a user writes it; an {@link IllegalArgumentException} says what is wrong with it. */
    public static URI upstreamUrl(String text) {
        URI up;
        try {
            up = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URL (" + e.getReason()
                    + "): give the server's endpoint, e.g. http://127.0.0.1:3001/mcp");
        }
        defaults(up); // the same checks as every options object
        return up;
    }

    public static HttpProxyOptions defaults(URI upstream) {
        return new HttpProxyOptions(upstream, null, "127.0.0.1", DEFAULT_PORT, DEFAULT_MAX_BODY_BYTES,
                DEFAULT_MAX_HEADER_BYTES, DEFAULT_REQUEST_IDLE_MILLIS, DEFAULT_UPSTREAM_TIMEOUT_MILLIS,
                DEFAULT_STREAM_IDLE_MILLIS, DEFAULT_CONNECT_TIMEOUT_MILLIS, DEFAULT_SESSION_IDLE_MILLIS, java.util.List.of());
    }

    public HttpProxyOptions withPort(int p) {
        return new HttpProxyOptions(upstream, transport, bindHost, p, maxBodyBytes, maxHeaderBytes, requestIdleMillis,
                upstreamTimeoutMillis, streamIdleMillis, connectTimeoutMillis, sessionIdleMillis, allowedHosts);
    }

    public HttpProxyOptions withBind(String host) {
        return new HttpProxyOptions(upstream, transport, host, port, maxBodyBytes, maxHeaderBytes, requestIdleMillis,
                upstreamTimeoutMillis, streamIdleMillis, connectTimeoutMillis, sessionIdleMillis, allowedHosts);
    }

    public HttpProxyOptions withTransport(Transport t) {
        return new HttpProxyOptions(upstream, t, bindHost, port, maxBodyBytes, maxHeaderBytes, requestIdleMillis,
                upstreamTimeoutMillis, streamIdleMillis, connectTimeoutMillis, sessionIdleMillis, allowedHosts);
    }

    public HttpProxyOptions withLimits(int body, int header) {
        return new HttpProxyOptions(upstream, transport, bindHost, port, body, header, requestIdleMillis,
                upstreamTimeoutMillis, streamIdleMillis, connectTimeoutMillis, sessionIdleMillis, allowedHosts);
    }

    public HttpProxyOptions withSessionIdle(long millis) {
        return new HttpProxyOptions(upstream, transport, bindHost, port, maxBodyBytes, maxHeaderBytes, requestIdleMillis,
                upstreamTimeoutMillis, streamIdleMillis, connectTimeoutMillis, millis, allowedHosts);
    }

    public HttpProxyOptions withTimeouts(long requestIdle, long upstreamTimeout, long streamIdle) {
        return new HttpProxyOptions(upstream, transport, bindHost, port, maxBodyBytes, maxHeaderBytes, requestIdle,
                upstreamTimeout, streamIdle, connectTimeoutMillis, sessionIdleMillis, allowedHosts);
    }

    public HttpProxyOptions withAllowedHosts(java.util.List<String> hosts) {
        return new HttpProxyOptions(upstream, transport, bindHost, port, maxBodyBytes, maxHeaderBytes, requestIdleMillis,
                upstreamTimeoutMillis, streamIdleMillis, connectTimeoutMillis, sessionIdleMillis, hosts);
    }
}
