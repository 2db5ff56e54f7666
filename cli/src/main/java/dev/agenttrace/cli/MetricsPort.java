package dev.agenttrace.cli;

import dev.agenttrace.export.prometheus.MetricsEndpoint;
import dev.agenttrace.export.prometheus.MetricsServer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;

/** record-http's {@code --metrics-port}: Prometheus {@code /metrics} on a listener of its own. */
final class MetricsPort {
    private final String bind;
    private final int port;
    private MetricsServer server;

    MetricsPort(String bind, int port) {
        this.bind = bind;
        this.port = port;
    }

    /** Starts the listener (on the export's start-up thread) and says where it is. */
    MetricsEndpoint start(PrintStream err) {
        MetricsEndpoint endpoint = new MetricsEndpoint();
        try {
            server = new MetricsServer(endpoint, bind, port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + bind + ":" + port + " for /metrics: " + e.getMessage()
                    + "; pick another --metrics-port", e);
        }
        err.println("agent-trace: metrics at http://" + bind + ":" + server.port() + "/metrics");
        return endpoint;
    }

    void close() {
        if (server != null) {
            server.close();
        }
    }
}
