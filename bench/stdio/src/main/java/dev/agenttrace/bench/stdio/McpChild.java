package dev.agenttrace.bench.stdio;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An MCP stdio server (or a proxy in front of one) started by the driver: frames go out in one
 * write each, answers are read on the calling thread (no hand-off between threads inside the
 * measured time). A watchdog kills the process tree when an awaited answer is later than its
 * deadline, so a hung proxy ends the phase with missing answers instead of hanging the benchmark.
 */
final class McpChild implements AutoCloseable {
    final long spawnedNanos;
    final Process process;
    private final OutputStream out;
    private final FrameReader in;
    private final Framing framing;
    private volatile long deadlineNanos = Long.MAX_VALUE;
    private volatile boolean watchdogFired;
    private final Thread watchdog;
    int framingErrors;
    /** From closing the child's stdin to its exit, whatever it took (SIGTERM or SIGKILL included). */
    double exitMillis = Double.NaN;

    McpChild(List<String> command, Path cwd, Map<String, String> env, Path stderrLog, Framing framing) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(stderrLog.toFile()));
        pb.environment().putAll(env);
        this.framing = framing;
        this.spawnedNanos = System.nanoTime();
        this.process = pb.start();
        this.out = process.getOutputStream();
        this.in = new FrameReader(process.getInputStream());
        this.watchdog = new Thread(this::watch, "watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** Writes one frame; returns the time just before the write. */
    long send(byte[] body) throws IOException {
        byte[] frame = framing.frame(body);
        long t = System.nanoTime();
        out.write(frame);
        out.flush();
        return t;
    }

    /** The next frame, or null when the stream ends or nothing came within timeoutMillis. */
    FrameReader.Frame receive(long timeoutMillis) throws IOException {
        deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try {
            FrameReader.Frame f = in.next();
            if (f != null && (f.framing != framing || f.crlf)) framingErrors++;
            return f;
        } catch (IOException e) {
            if (watchdogFired) return null;
            throw e;
        } finally {
            deadlineNanos = Long.MAX_VALUE;
        }
    }

    /** Peak resident memory of the process itself (not its children), in KiB; -1 where /proc has none. */
    long peakRssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or already gone
        }
        return -1;
    }

    /**
     * Closes the child's stdin, as a client does at the end of a session, and says how it ended:
     * clean (exited within exitTimeoutMillis), terminated (needed SIGTERM), killed (SIGKILL) or
     * watchdog (killed earlier for a late answer). Whatever it left running is killed.
     */
    String stop(long exitTimeoutMillis) {
        String how = "clean";
        List<ProcessHandle> tree = process.descendants().collect(java.util.stream.Collectors.toList());
        long closed = System.nanoTime();
        try {
            out.close();
        } catch (IOException ignored) {
            // it may have gone already
        }
        try {
            if (!process.waitFor(exitTimeoutMillis, TimeUnit.MILLISECONDS)) {
                how = "terminated";
                process.destroy();
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    how = "killed";
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
            if (!process.isAlive()) exitMillis = (System.nanoTime() - closed) / 1e6;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tree.forEach(ProcessHandle::destroyForcibly);
        killTree();
        return watchdogFired ? "watchdog" : how;
    }

    @Override
    public void close() {
        killTree();
        watchdog.interrupt();
    }

    private void killTree() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private void watch() {
        while (process.isAlive()) {
            if (System.nanoTime() > deadlineNanos) {
                watchdogFired = true;
                killTree();
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
