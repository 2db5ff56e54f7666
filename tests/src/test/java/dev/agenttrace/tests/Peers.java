package dev.agenttrace.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** How the end-to-end tests start things, and read what the proxy recorded (with plain Jackson). */
final class Peers {
    static final Path ROOT = Path.of(System.getProperty("agenttrace.root", "..")).toAbsolutePath().normalize();
    static final String CLASSPATH = System.getProperty("java.class.path");
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    static final ObjectMapper JSON = new ObjectMapper();

    private Peers() {
    }

    /** {@code java ... dev.agenttrace.cli.Main record --trace-dir D <extra...> -- <child...>} */
    static List<String> proxy(Path traceDir, List<String> extra, List<String> child) {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "-Xlog:disable", "-Xlog:all=warning:stderr", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", CLASSPATH, "dev.agenttrace.cli.Main", "record", "--trace-dir", traceDir.toString()));
        cmd.addAll(extra);
        cmd.add("--");
        cmd.addAll(child);
        return cmd;
    }

    /**
     * Starts {@code agent-trace serve} as {@code pb} describes it (its output merged into the log), and
     * returns the port once serve says it listens; every line serve prints is appended to {@code log}.
     */
    static int startServe(ProcessBuilder pb, StringBuilder log, List<Process> started) throws Exception {
        pb.redirectErrorStream(true);
        Process p = pb.start();
        started.add(p);
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            Pattern listening = Pattern.compile("serving hooks at http://127\\.0\\.0\\.1:(\\d+)/");
            try {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (log) {
                        log.append(line).append('\n');
                    }
                    Matcher m = listening.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                // serve ended
            }
            port.completeExceptionally(new AssertionError("serve ended before listening:\n" + log));
        }, "serve-log");
        t.setDaemon(true);
        t.start();
        return port.get(60, TimeUnit.SECONDS);
    }

    /** {@code java ... dev.agenttrace.cli.Main <args...>}, with the launcher's JVM flags. */
    static List<String> cli(String... args) {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "-Xlog:disable", "-Xlog:all=warning:stderr", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", CLASSPATH, "dev.agenttrace.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The session of a trace directory whose events include {@code type} (an HTTP proxy may also trace a sessionless request). */
    static Path sessionWith(Path traceDir, String type) {
        try (Stream<Path> s = Files.list(traceDir)) {
            List<Path> dirs = s.filter(Files::isDirectory).filter(d -> !ofType(eventsSoFar(d), type).isEmpty()).toList();
            if (dirs.size() != 1) {
                throw new AssertionError("expected one session with " + type + " in " + traceDir + ", found " + dirs);
            }
            return dirs.get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Java main class of this module as a child process. */
    static List<String> javaMain(Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", CLASSPATH, main.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Path serverEverything() {
        Path p = ROOT.resolve("tests/npm/node_modules/@modelcontextprotocol/server-everything/dist/index.js");
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p + " is missing; the build installs it (tests/npm, npm ci)");
        }
        return p;
    }

    /** The one session in a trace directory. */
    static Path onlySession(Path traceDir) {
        try (Stream<Path> s = Files.list(traceDir)) {
            List<Path> dirs = s.filter(Files::isDirectory).toList();
            if (dirs.size() != 1) {
                throw new AssertionError("expected one session in " + traceDir + ", found " + dirs);
            }
            return dirs.get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A session's meta.json, waiting (at most 10 s) for it to appear: the recorder opens a session
     * off the forwarding path, after the server's first message, so a client can be done before
     * the file is written.
     */
    static JsonNode meta(Path session) {
        Path file = session.resolve("meta.json");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            while (!Files.isRegularFile(file) && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static List<JsonNode> events(Path session) {
        return lines(session.resolve("events.ndjson"));
    }

    /**
     * The events written so far, for a loop that waits for some: none while the session's
     * directory exists but its events file is not created yet.
     */
    static List<JsonNode> eventsSoFar(Path session) {
        Path f = session.resolve("events.ndjson");
        return Files.exists(f) ? lines(f) : List.of();
    }

    static List<JsonNode> lines(Path file) {
        try {
            List<JsonNode> out = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<JsonNode> ofType(List<JsonNode> events, String type) {
        return events.stream().filter(e -> type.equals(e.path("event_type").asText())).toList();
    }

    /** Waits until a process is gone (bounded); true if it is. */
    static boolean gone(long pid, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < end) {
            if (ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    /**
     * A session's meta.json once it is there (bounded): the client may be done before the
     * recorder, which opens the session off the forwarding path, has written it.
     */
    static JsonNode awaitMeta(Path session, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (!Files.isRegularFile(session.resolve("meta.json")) && System.currentTimeMillis() < end) {
            Thread.sleep(20);
        }
        return meta(session);
    }

    /** The agent-trace command as a user's PATH would have it: a launcher script in {@code dir}/bin, which hooks and configs run. */
    static Path launcher(Path dir) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin")).resolve("agent-trace");
        String cmd = String.join(" ", cli().stream().map(a -> "'" + a.replace("'", "'\\''") + "'").toList());
        Files.writeString(bin, "#!/bin/sh\nexec " + cmd + " \"$@\"\n");
        Files.setPosixFilePermissions(bin, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    /** A flat JSON object of string values: {@code object("command", "ls")}. */
    static com.fasterxml.jackson.databind.node.ObjectNode object(String... kv) {
        com.fasterxml.jackson.databind.node.ObjectNode n = JSON.createObjectNode();
        for (int i = 0; i < kv.length; i += 2) {
            n.put(kv[i], kv[i + 1]);
        }
        return n;
    }

    /** Ends the processes a test started: politely, then (after 10 s) by force. */
    static void stopAll(List<Process> started) throws InterruptedException {
        for (Process p : started) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
