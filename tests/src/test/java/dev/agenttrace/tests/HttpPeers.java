package dev.agenttrace.tests;

import dev.agenttrace.proxy.http.HttpProxy;
import dev.agenttrace.proxy.http.HttpProxyOptions;
import dev.agenttrace.rules.Guard;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.TraceStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** HTTP peers for the record-http tests: server-everything on loopback, and the proxy in-process. */
final class HttpPeers {
    private HttpPeers() {
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A running server-everything: {@code streamableHttp} serves /mcp, {@code sse} serves /sse + /message. */
    record Everything(Process process, int port) implements AutoCloseable {
        URI url(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        @Override
        public void close() {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }
    }

    static Everything everything(String mode, Path logDir) throws Exception {
        int port = freePort();
        ProcessBuilder pb = new ProcessBuilder("node", "--require", Peers.ROOT.resolve("tests/npm/loopback_only.cjs").toString(),
                Peers.serverEverything().toString(), mode)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(logDir.resolve("everything-" + mode + ".log").toFile());
        pb.environment().put("PORT", Integer.toString(port));
        Process p = pb.start();
        Everything e = new Everything(p, port);
        awaitListening(port, p, 20_000);
        return e;
    }

    static void awaitListening(int port, Process p, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < end) {
            if (!p.isAlive()) {
                throw new IllegalStateException("the peer on port " + port + " exited with " + p.exitValue());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(25);
            }
        }
        throw new IllegalStateException("nothing listens on " + port + " after " + millis + " ms");
    }

    /** record-http in this JVM, writing to {@code traces}. */
    static HttpProxy proxy(HttpProxyOptions opts, Guard guard, Path traces) throws InterruptedException {
        HttpProxy proxy = new HttpProxy(opts.withPort(0), guard, start -> {
            SessionMeta meta = new SessionMeta();
            meta.startedAt = start.startedAt();
            meta.agentName = "test";
            meta.command = "http-proxy -> " + start.upstream();
            return TraceStore.at(traces).create(meta, StoreOptions.defaults());
        }, System.err);
        proxy.start();
        return proxy;
    }

    /** Waits (bounded) until {@code counter} reaches {@code expected}; returns its value. */
    static int awaitCount(java.util.concurrent.atomic.AtomicInteger counter, int expected, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (counter.get() < expected && System.currentTimeMillis() < end) {
            Thread.sleep(10);
        }
        return counter.get();
    }

    static List<Path> sessions(Path traceDir) {
        if (!Files.isDirectory(traceDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(traceDir)) {
            return s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
