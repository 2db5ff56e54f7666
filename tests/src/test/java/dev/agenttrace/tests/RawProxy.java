package dev.agenttrace.tests;

import dev.agenttrace.tests.peers.RawServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** {@code agent-trace record} with a {@link RawServer} child, driven byte by byte as a raw client. */
final class RawProxy implements AutoCloseable {
    /** One frame as the client received it. */
    record Received(String framing, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    final Process process;
    final Path stderr;
    final Path serverLog;
    private final OutputStream in;
    private final InputStream out;
    private final ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "raw-client-reader");
        t.setDaemon(true);
        return t;
    });
    private final List<ProcessHandle> family = new ArrayList<>();

    RawProxy(Path dir, List<String> proxyOptions, String... serverArgs) throws IOException {
        Path traces = dir.resolve("traces");
        serverLog = dir.resolve("server.log");
        stderr = dir.resolve("proxy.stderr");
        List<String> server = new ArrayList<>(List.of("--log", serverLog.toString()));
        server.addAll(List.of(serverArgs));
        List<String> extra = new ArrayList<>(proxyOptions);
        List<String> cmd = extra.contains("--trace-dir")
                ? withoutDefaultTraceDir(extra, server)
                : Peers.proxy(traces, extra, Peers.javaMain(RawServer.class, server.toArray(String[]::new)));
        process = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
        in = process.getOutputStream();
        out = process.getInputStream();
    }

    private static List<String> withoutDefaultTraceDir(List<String> extra, List<String> server) {
        List<String> cmd = new ArrayList<>(Peers.proxy(Path.of("unused"), extra, Peers.javaMain(RawServer.class, server.toArray(String[]::new))));
        int i = cmd.indexOf("--trace-dir");
        cmd.remove(i);
        cmd.remove(i);
        return cmd;
    }

    Path traces() {
        return serverLog.getParent().resolve("traces");
    }

    void send(String framing, String body) throws IOException {
        write(frame(framing, body.getBytes(StandardCharsets.UTF_8)));
    }

    void write(byte[] bytes) throws IOException {
        in.write(bytes);
        in.flush();
        long now = System.nanoTime();
        if (now - familySeen > 50_000_000L) { // a walk of every process on the machine: not once per write of a 10,000-write test
            familySeen = now;
            rememberFamily();
        }
    }

    private long familySeen = System.nanoTime() - 1_000_000_000L;

    static byte[] frame(String framing, byte[] body) {
        return RawServer.frame(body, framing);
    }

    /** The next frame the client receives, noting how it was framed. */
    Received receive() throws Exception {
        Future<Received> f = reader.submit(() -> {
            int c = out.read();
            if (c < 0) {
                return null;
            }
            if (c == 'C' || c == 'c') {
                String header = (char) c + RawServer.readLine(out);
                int n = Integer.parseInt(header.substring(header.indexOf(':') + 1).trim());
                String h;
                while (!(h = RawServer.readLine(out)).isEmpty()) {
                    h.length();
                }
                return new Received("content-length", out.readNBytes(n));
            }
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            line.write(c);
            while ((c = out.read()) >= 0 && c != '\n') {
                line.write(c);
            }
            if (c < 0) {
                throw new AssertionError("a line with no newline reached the client: " + line);
            }
            return new Received("newline", line.toByteArray());
        });
        return f.get(30, TimeUnit.SECONDS);
    }

    /** Everything left on the client's stdout until EOF. */
    byte[] rest() throws Exception {
        return reader.submit(() -> out.readAllBytes()).get(30, TimeUnit.SECONDS);
    }

    void closeStdin() throws IOException {
        rememberFamily();
        in.close();
    }

    int waitFor() throws Exception {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the proxy did not exit; stderr: " + stderr());
        }
        return process.exitValue();
    }

    String stderr() throws IOException {
        return Files.readString(stderr);
    }

    /** Bodies the server logged, by direction ("in" or "out"). */
    List<byte[]> serverBodies(String dir) throws IOException {
        List<byte[]> out = new ArrayList<>();
        if (!Files.exists(serverLog)) {
            return out;
        }
        for (String line : Files.readAllLines(serverLog)) {
            if (line.startsWith(dir + " ")) {
                out.add(java.util.Base64.getDecoder().decode(line.substring(dir.length() + 1)));
            }
        }
        return out;
    }

    private void rememberFamily() {
        process.descendants().forEach(h -> {
            if (!family.contains(h)) {
                family.add(h);
            }
        });
    }

    /** True when the proxy and every process it started are gone. */
    boolean noProcessLeft() throws InterruptedException {
        for (ProcessHandle h : family) {
            if (!Peers.gone(h.pid(), 5000)) {
                return false;
            }
        }
        return Peers.gone(process.pid(), 5000);
    }

    @Override
    public void close() {
        family.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        reader.shutdownNow();
    }
}
