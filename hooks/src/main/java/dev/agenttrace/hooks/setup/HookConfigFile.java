package dev.agenttrace.hooks.setup;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * One agent configuration file that {@code agent-trace setup} adds hooks to: merged in place
 * (other hooks and unknown keys kept, the file's formatting untouched, {@link JsonSplice}),
 * idempotent (an entry already there is not added again), with a backup beside it from which
 * {@code --undo} restores exactly the bytes that were there before.
 */
public final class HookConfigFile {
    public static final String BACKUP_SUFFIX = ".agent-trace-backup.json";
    private static final ObjectMapper LENIENT = JsonMapper.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA).build();

    /** One hook entry for {@code hooks.<event>[]}. */
    public record Entry(String event, ObjectNode json) {
    }

    /**
     * What to add to a file.
     *
     * @param file       the configuration file
     * @param hooksKey   the member holding the events ({@code hooks})
     * @param rootExtras a member a file without hooks must also get ({@code "version": 1}), or null
     * @param entries    the entries
     */
    public record Plan(Path file, String hooksKey, String rootExtras, List<Entry> entries) {
    }

    /**
     * What setup or undo did (or, in a dry run, would do).
     *
     * @param added   events that got an entry
     * @param present events whose entry was already there
     * @param text    the file's new content (null when it is removed)
     */
    public record Outcome(Path file, List<String> added, List<String> present, boolean changed, String text, Path backup, String note) {
    }

    private HookConfigFile() {
    }

    public static Outcome apply(Plan plan, boolean dryRun) throws IOException {
        Path file = plan.file();
        boolean existed = Files.exists(file);
        byte[] original = existed ? Files.readAllBytes(file) : null;
        String text = original == null ? "" : new String(original, StandardCharsets.UTF_8);
        JsonNode current = null;
        if (!text.isBlank()) {
            try {
                current = LENIENT.readTree(text);
            } catch (IOException e) {
                throw new IOException(file + " is not valid JSON (" + firstLine(e) + "); fix it or move it away, then run setup again");
            }
            if (!(current instanceof ObjectNode)) {
                throw new IOException(file + " does not hold a JSON object; agent-trace will not rewrite it");
            }
        }
        List<String> added = new ArrayList<>();
        List<String> present = new ArrayList<>();
        String next = text;
        for (Entry e : plan.entries()) {
            if (current != null && contains(current.path(plan.hooksKey()).path(e.event()), e.json())) {
                present.add(e.event());
                continue;
            }
            next = JsonSplice.addEntry(next, plan.hooksKey(), e.event(), LENIENT.writeValueAsString(e.json()), plan.rootExtras());
            current = LENIENT.readTree(next);
            added.add(e.event());
        }
        Path backup = backupOf(file);
        if (added.isEmpty()) {
            return new Outcome(file, added, present, false, text, Files.exists(backup) ? backup : null, null);
        }
        if (!dryRun) {
            ObjectNode b;
            if (Files.exists(backup)) {
                b = (ObjectNode) LENIENT.readTree(Files.readAllBytes(backup));
            } else {
                b = LENIENT.createObjectNode();
                b.put("file", file.toAbsolutePath().toString());
                if (original == null) {
                    b.putNull("original_base64");
                    List<String> created = new ArrayList<>();
                    for (Path d = file.toAbsolutePath().getParent(); d != null && !Files.exists(d); d = d.getParent()) {
                        created.add(d.toString());
                    }
                    var arr = b.putArray("created_dirs");
                    created.forEach(arr::add);
                } else {
                    b.put("original_base64", Base64.getEncoder().encodeToString(original));
                }
            }
            byte[] out = next.getBytes(StandardCharsets.UTF_8);
            b.put("written_sha256", sha256(out));
            Files.createDirectories(file.toAbsolutePath().getParent());
            writeAtomically(backup, LENIENT.writerWithDefaultPrettyPrinter().writeValueAsBytes(b));
            writeAtomically(file, out);
        }
        return new Outcome(file, added, present, true, next, backup, null);
    }

    /**
     * Restores the file as it was before setup. Refuses (with what to do) when the file changed since
     * setup wrote it, unless {@code force}: restoring would drop those edits.
     */
    public static Outcome undo(Path file, boolean dryRun, boolean force) throws IOException {
        Path backup = backupOf(file);
        if (!Files.exists(backup)) {
            return new Outcome(file, List.of(), List.of(), false, null, null, "no agent-trace setup recorded for " + file + " (no " + backup.getFileName() + ")");
        }
        JsonNode b = LENIENT.readTree(Files.readAllBytes(backup));
        byte[] now = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
        if (!force && !sha256(now).equals(b.path("written_sha256").asText())) {
            throw new IOException(file + " changed after agent-trace setup wrote it; undo would drop those edits. Remove the agent-trace "
                    + "entries by hand, or run undo with --force to restore " + backup + " (the file as it was before setup)");
        }
        JsonNode orig = b.get("original_base64");
        String text = orig == null || orig.isNull() ? null : new String(Base64.getDecoder().decode(orig.asText()), StandardCharsets.UTF_8);
        if (!dryRun) {
            if (text == null) {
                Files.deleteIfExists(file);
                Files.delete(backup); // before the directories it may sit in
                for (JsonNode d : b.path("created_dirs")) {
                    Path dir = Path.of(d.asText());
                    try (var s = Files.list(dir)) {
                        if (s.findAny().isEmpty()) {
                            Files.delete(dir);
                        }
                    } catch (IOException e) {
                        // not empty or gone: leave it
                    }
                }
            } else {
                writeAtomically(file, Base64.getDecoder().decode(orig.asText()));
                Files.delete(backup);
            }
        }
        return new Outcome(file, List.of(), List.of(), true, text, backup, text == null ? "removed (it did not exist before setup)" : "restored");
    }

    public static Path backupOf(Path file) {
        return file.resolveSibling(file.getFileName() + BACKUP_SUFFIX);
    }

    private static boolean contains(JsonNode array, JsonNode entry) {
        if (array.isArray()) {
            for (JsonNode n : array) {
                if (n.equals(entry)) {
                    return true;
                }
            }
        }
        return false;
    }

    static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".agent-trace-tmp");
        Files.write(tmp, bytes);
        try {
            if (Files.exists(file)) {
                try {
                    Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(file));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system
                }
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String firstLine(Exception e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}
