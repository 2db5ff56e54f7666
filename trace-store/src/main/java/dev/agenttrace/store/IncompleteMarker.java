package dev.agenttrace.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

/**
 * {@code incomplete.json} in a session directory: written when the trace lost something and the
 * meta may not be able to say so (the disk is full). So that it can be written on a full disk,
 * every session starts with an 8 KiB reserve file ({@code .reserve}); on the
 * first failure the reserve is renamed to the marker and overwritten in place (no new blocks),
 * then cut to its content, which frees the rest for the final {@code meta.json}. A session that
 * ends whole deletes its reserve.
 */
final class IncompleteMarker {
    static final String FILE = "incomplete.json";
    static final String RESERVE = ".reserve";
    static final int RESERVE_BYTES = 8 * 1024;
    /** The marker never grows past one block, so a rewrite in place needs no space either. */
    private static final int MAX_BYTES = 4000;

    private IncompleteMarker() {
    }

    /** Creates the reserve; a disk too full for it only means the marker may not be writable later. */
    static void reserve(Path sessionDir) {
        try (RandomAccessFile f = new RandomAccessFile(sessionDir.resolve(RESERVE).toFile(), "rw")) {
            f.write(new byte[RESERVE_BYTES]); // written, not just sized: tmpfs and ext4 allocate on write
        } catch (IOException e) {
            try {
                Files.deleteIfExists(sessionDir.resolve(RESERVE));
            } catch (IOException ignored) {
                // nothing reserved: the marker is best effort
            }
        }
    }

    /** The session ended whole: the reserve is no longer needed. */
    static void release(Path sessionDir) {
        try {
            Files.deleteIfExists(sessionDir.resolve(RESERVE));
        } catch (IOException ignored) {
            // a leftover reserve is a few KiB, and the next close tries again
        }
    }

    /** Writes (or rewrites) the marker, in the reserve's blocks when there is one. */
    static void write(Path sessionDir, ObjectNode facts) throws IOException {
        Path marker = sessionDir.resolve(FILE);
        Path reserve = sessionDir.resolve(RESERVE);
        if (!Files.exists(marker, LinkOption.NOFOLLOW_LINKS) && Files.exists(reserve, LinkOption.NOFOLLOW_LINKS)) {
            Files.move(reserve, marker, StandardCopyOption.ATOMIC_MOVE);
        }
        byte[] json = (TraceJson.compact(facts) + "\n").getBytes(StandardCharsets.UTF_8);
        if (json.length > MAX_BYTES) {
            json = Arrays.copyOf(json, MAX_BYTES);
        }
        try (RandomAccessFile f = new RandomAccessFile(marker.toFile(), "rw")) {
            f.seek(0);
            f.write(json);
            f.setLength(json.length);
        }
    }

    /** The marker of a session, or null (also when it is not a readable regular file). */
    static JsonNode read(Path store, Path sessionDir) {
        Path marker = sessionDir.resolve(FILE);
        if (!Files.exists(marker, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            JsonNode n = TraceJson.mapper().readTree(StoreFiles.readSmall(store, marker, 64 * 1024));
            return n != null && n.isObject() ? n : TraceJson.mapper().createObjectNode();
        } catch (IOException | RuntimeException e) {
            return TraceJson.mapper().createObjectNode(); // there, but torn: still incomplete
        }
    }

    /** "the recorder lost 1,234 events (disk full: No space left on device)" from the meta and/or marker. */
    static String describe(JsonNode attribution, JsonNode marker) {
        JsonNode a = attribution == null ? TraceJson.mapper().createObjectNode() : attribution;
        JsonNode m = marker == null ? TraceJson.mapper().createObjectNode() : marker;
        long missing = Math.max(a.path("dropped_events").asLong(0), m.path("dropped_events").asLong(0));
        String reason = a.hasNonNull("incomplete_reason") ? a.get("incomplete_reason").asText()
                : m.path("incomplete_reason").asText("");
        StringBuilder sb = new StringBuilder("the recorder lost ");
        sb.append(missing > 0 ? String.format("%,d event%s", missing, missing == 1 ? "" : "s") : "events");
        if (!reason.isEmpty()) {
            sb.append(" (").append(reason).append(')');
        }
        long cut = Math.max(a.path("cut_bytes").asLong(0), m.path("cut_bytes").asLong(0));
        if (cut > 0) {
            sb.append(String.format(", %,d bytes cut", cut));
        }
        return sb.toString();
    }
}
