package dev.agenttrace.export.prometheus;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;

/** A listener of its own that serves {@link MetricsEndpoint} at {@code /metrics} (record-http's {@code --metrics-port}). */
public final class MetricsServer implements AutoCloseable {
    private final HttpServer server;

    public MetricsServer(MetricsEndpoint endpoint, String bind, int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(bind, port), 16);
        server.createContext("/metrics", endpoint.httpHandler());
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
