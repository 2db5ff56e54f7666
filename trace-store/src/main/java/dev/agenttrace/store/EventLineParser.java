package dev.agenttrace.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns the lines of an {@code .ndjson} file into events, and every line that is not one into a
 * warning naming the file and line. A reader of a finished file reports an unterminated last
 * line as torn; a tailing reader leaves it alone, since the writer may be in the middle of it.
 */
final class EventLineParser implements NdjsonLines.Handler {
    private static final int PREVIEW = 80;

    private final Path file;
    private final Consumer<TraceEvent> sink;
    private final List<String> warnings;
    private final boolean unterminatedIsTorn;

    EventLineParser(Path file, Consumer<TraceEvent> sink, List<String> warnings, boolean unterminatedIsTorn) {
        this.file = file;
        this.sink = sink;
        this.warnings = warnings;
        this.unterminatedIsTorn = unterminatedIsTorn;
    }

    @Override
    public void line(byte[] buf, int off, int len, long lineNo, boolean terminated) {
        if (!terminated && !unterminatedIsTorn) {
            return;
        }
        if (blank(buf, off, len)) {
            return;
        }
        TraceEvent e;
        try {
            e = TraceJson.parseEvent(buf, off, len);
        } catch (IOException | RuntimeException ex) {
            String preview = new String(buf, off, Math.min(len, PREVIEW), StandardCharsets.UTF_8);
            if (!terminated) {
                warnings.add(file + ":" + lineNo + ": torn last line (no newline at the end: the writer was"
                        + " probably killed mid-append), skipped: " + preview + (len > PREVIEW ? "..." : ""));
            } else {
                warnings.add(file + ":" + lineNo + ": not a trace event (" + reason(ex) + "), skipped: "
                        + preview + (len > PREVIEW ? "..." : ""));
            }
            return;
        }
        sink.accept(e);
    }

    @Override
    public void tooLong(long lineNo, long bytes, boolean terminated) {
        if (!terminated && !unterminatedIsTorn) {
            return;
        }
        warnings.add(file + ":" + lineNo + ": line of " + bytes + " bytes is over the " + NdjsonLines.MAX_LINE
                + "-byte limit, skipped");
    }

    private static boolean blank(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') {
                return false;
            }
        }
        return true;
    }

    private static String reason(Exception ex) {
        String m = ex.getMessage();
        if (m == null) {
            return ex.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
