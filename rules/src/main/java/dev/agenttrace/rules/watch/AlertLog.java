package dev.agenttrace.rules.watch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * {@code <trace-dir>/alerts.log}: {@code <ISO-8601 UTC>  <message>} a line, as agent-strace writes it
 * (which wrote to {@code .agent-traces/alerts.log} whatever {@code --trace-dir} said).
 */
public final class AlertLog {
    public static final String FILE_NAME = "alerts.log";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private AlertLog() {
    }

    /** The line for an alert, without the newline. */
    static String line(Alert a, Instant at) {
        return TIME.format(at) + "  " + a.line() + " (session " + a.sessionId() + ")";
    }

    static void append(Path traceDir, Alert a) throws IOException {
        Files.createDirectories(traceDir);
        byte[] bytes = (line(a, Instant.now()).replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(traceDir.resolve(FILE_NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }
}
