package dev.agenttrace.tests.watch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A separate {@code agent-trace record -- cat} process, driven as a raw client: {@code cat} echoes
 * what the client sends, so a JSON-RPC error the client writes comes back as the server's answer
 * to its own call. Enough to stage a retry storm without a real server.
 */
final class Recorder implements AutoCloseable {
    static final String CLASSPATH = System.getProperty("java.class.path");
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    final Process process;
    private final OutputStream in;
    private int id;

    Recorder(Path traceDir, Path stderr) throws IOException {
        process = new ProcessBuilder(command("record", "--trace-dir", traceDir.toString(), "--", "cat"))
                .redirectError(stderr.toFile()).start();
        in = process.getOutputStream();
        InputStream out = process.getInputStream();
        Thread drain = new Thread(() -> {
            try {
                out.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                // the proxy ended
            }
        }, "recorder-drain");
        drain.setDaemon(true);
        drain.start();
    }

    /** {@code java -cp <test class path> dev.agenttrace.cli.Main <args...>} */
    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "-Xlog:disable", "-Xlog:all=warning:stderr", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", CLASSPATH, "dev.agenttrace.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Sends a tools/call; returns its id. */
    int call(String tool, String argumentsJson) throws IOException {
        int n = ++id;
        send("{\"jsonrpc\":\"2.0\",\"id\":" + n + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":"
                + argumentsJson + "}}");
        return n;
    }

    /** The answer to call {@code n}: a JSON-RPC error (echoed back by cat as the server's). */
    void fail(int n, String message) throws IOException {
        send("{\"jsonrpc\":\"2.0\",\"id\":" + n + ",\"error\":{\"code\":-32000,\"message\":\"" + message + "\"}}");
    }

    void send(String line) throws IOException {
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Closes the client side: the proxy ends the session (session_end) and exits. */
    @Override
    public void close() throws IOException, InterruptedException {
        try {
            in.close();
        } catch (IOException e) {
            // already gone
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
