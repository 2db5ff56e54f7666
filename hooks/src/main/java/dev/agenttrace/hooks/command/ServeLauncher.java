package dev.agenttrace.hooks.command;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts {@code agent-trace serve} in the background, in its own session (so the agent reaping its
 * hook's process group does not take it along), with the JVM and class path of this process, and
 * waits until it answers. What the SessionStart hook {@code setup} installs uses: the firewall runs
 * with the agent's session, not only when someone remembered to start it.
 */
public final class ServeLauncher {
    private ServeLauncher() {
    }

    /** Returns null once serve answers at {@code base}, else why not. */
    public static String start(URI base, Path traceDir, Duration wait) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        int port = base.getPort() > 0 ? base.getPort() : 80;
        String host = base.getHost() == null ? "127.0.0.1" : base.getHost();
        List<String> cmd = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute()) {
            cmd.add("/usr/bin/setsid");
        }
        cmd.addAll(List.of(java, "-XX:+UseSerialGC", "-Xss512k", "-cp", System.getProperty("java.class.path"), "dev.agenttrace.cli.Main", "serve",
                "--port", Integer.toString(port), "--bind", host.equals("localhost") ? "127.0.0.1" : host, "--trace-dir", traceDir.toString()));
        Path log = traceDir.resolve("serve.log");
        try {
            Files.createDirectories(traceDir);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.start();
        } catch (IOException e) {
            return "cannot start agent-trace serve (" + e.getMessage() + ")";
        }
        long end = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < end) {
            if (HookRunner.serveAnswers(base, Duration.ofMillis(200))) {
                return null;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return "started agent-trace serve at " + base + ", but it did not answer within " + wait.toMillis() + " ms (see " + log + ")";
    }
}
