package dev.agenttrace.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Follows an {@code .ndjson} file another process is appending to ({@code agent-trace watch}):
 * each {@link #poll} hands over the lines completed since the previous one. A line still being
 * written (no newline yet) is left for the next poll, never reported as torn; a file that shrank
 * (replaced or truncated) is read again from the start, with a warning.
 *
 * <p>Not thread-safe: one tail per reading thread. It holds no open file between polls.
 */
public final class EventTail {
    private final Path root;
    private final Path file;
    private long offset;
    private long nextLine = 1;
    private String refused;

    EventTail(Path root, Path file) {
        this.root = root;
        this.file = file;
    }

    /** The file being followed. */
    public Path file() {
        return file;
    }

    /** Bytes consumed so far (the end of the last complete line). */
    public long offset() {
        return offset;
    }

    /**
     * Reads the lines completed since the last call. Returns warnings for lines that were
     * skipped; a file that does not exist yet is not an error (the writer may not have created it).
     */
    public List<String> poll(Consumer<TraceEvent> consumer) {
        List<String> warnings = new ArrayList<>(0);
        long size;
        try {
            size = Files.size(StoreFiles.check(root, file)); // a FIFO or a link out of the store is never opened
            refusedBefore(null, warnings);
        } catch (StoreFiles.UnreadableFileException e) {
            refusedBefore(e.getMessage(), warnings);
            return warnings;
        } catch (NoSuchFileException e) {
            return warnings;
        } catch (IOException e) {
            warnings.add(file + ": cannot read (" + TraceStore.describe(e) + ")");
            return warnings;
        }
        if (size < offset) {
            warnings.add(file + ": shrank from " + offset + " to " + size + " bytes (replaced or truncated); reading it again from the start");
            offset = 0;
            nextLine = 1;
        }
        if (size == offset) {
            return warnings;
        }
        try (java.io.InputStream in = StoreFiles.open(root, file, offset)) {
            long[] lines = {0};
            EventLineParser parser = new EventLineParser(file, consumer, warnings, false);
            long consumed = NdjsonLines.read(in, nextLine, new NdjsonLines.Handler() {
                @Override
                public void line(byte[] buf, int off, int len, long lineNo, boolean terminated) {
                    if (terminated) {
                        lines[0]++;
                    }
                    parser.line(buf, off, len, lineNo, terminated);
                }

                @Override
                public void tooLong(long lineNo, long bytes, boolean terminated) {
                    if (terminated) {
                        lines[0]++;
                    }
                    parser.tooLong(lineNo, bytes, terminated);
                }
            });
            offset += consumed;
            nextLine += lines[0];
        } catch (StoreFiles.UnreadableFileException e) {
            refusedBefore(e.getMessage(), warnings);
        } catch (IOException e) {
            warnings.add(file + ": cannot read (" + TraceStore.describe(e) + ")");
        }
        return warnings;
    }

    /** Reports a refusal once, not at every poll; null: the file is readable (again). */
    private void refusedBefore(String reason, List<String> warnings) {
        if (reason != null && !reason.equals(refused)) {
            warnings.add(file + ": not read: " + reason);
        }
        refused = reason;
    }
}
