package dev.agenttrace.rules.watch;

import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * Appends events to the {@code events.ndjson} of a session another process is writing (the live
 * watch records its alerts there). Each event is one {@code write(2)} of one whole line on an
 * {@code O_APPEND} descriptor, as agent-strace's own writers do, and the recorder only ever writes
 * whole lines too, so neither can split the other's line. A link is not followed: a store file
 * that points elsewhere is not written through.
 */
public final class EventAppender implements Consumer<TraceEvent> {
    private final Path file;
    private final Consumer<String> problems;

    public EventAppender(Path eventsFile, Consumer<String> problems) {
        this.file = eventsFile;
        this.problems = problems;
    }

    @Override
    public void accept(TraceEvent e) {
        byte[] line = (TraceJson.eventLine(e) + "\n").getBytes(StandardCharsets.US_ASCII);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND,
                java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer b = ByteBuffer.wrap(line);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        } catch (IOException ex) {
            problems.accept("cannot record the alert in " + file + " (" + ex.getMessage() + ")");
        }
    }
}
