package dev.agenttrace.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What reaches the disk with {@code --redact}: every file of the session, the meta included. */
class RedactionOnDiskTest {
    private static final String KEY = "k3y-of-the-server-0042";
    private static final String AWS = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    @TempDir
    Path tmp;

    private Path record(StoreOptions opts) throws IOException {
        TraceStore store = TraceStore.at(tmp.resolve("traces"));
        SessionMeta meta = new SessionMeta();
        meta.command = "node server.js --api-key " + KEY;
        meta.attribution.put("server_env", "AWS_SECRET_ACCESS_KEY=" + AWS);
        SessionWriter w = store.create(meta, opts);
        ObjectNode start = JsonNodeFactory.instance.objectNode();
        start.putArray("command").add("node").add("server.js").add("--api-key").add(KEY);
        w.submit(new TraceEvent(EventTypes.SESSION_START, 1.0, Ids.eventId(), meta.sessionId, null, null, start));
        ObjectNode result = JsonNodeFactory.instance.objectNode().put("request_id", 1)
                .put("content_preview", "DEBUG=1\nAWS_SECRET_ACCESS_KEY=" + AWS + "\nDB_PASS=hunter22\n");
        w.submit(new TraceEvent(EventTypes.TOOL_RESULT, 2.0, Ids.eventId(), meta.sessionId, null, null, result));
        ObjectNode again = JsonNodeFactory.instance.objectNode().put("request_id", 2)
                .put("content_preview", "export AWS_SECRET_ACCESS_KEY='" + AWS + "'");
        w.submit(new TraceEvent(EventTypes.TOOL_RESULT, 3.0, Ids.eventId(), meta.sessionId, null, null, again));
        w.close(Duration.ofSeconds(20));
        return store.dir().resolve(meta.sessionId);
    }

    private static String allFiles(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                sb.append(Files.readString(p)).append('\n');
            }
        }
        return sb.toString();
    }

    @Test
    void noSecretOfTheCommandTheMetaOrTheEventsReachesDisk() throws IOException {
        String disk = allFiles(record(StoreOptions.defaults().withRedact(true)));
        assertFalse(disk.contains(KEY), disk);
        assertFalse(disk.contains(AWS), disk);
        assertFalse(disk.contains("hunter22"), disk);
        assertTrue(disk.contains("--api-key [REDACTED]"), "the meta's command keeps its shape: " + disk);
        assertTrue(disk.contains("\"--api-key\",\"[REDACTED]\""), "session_start's argv keeps its shape: " + disk);
    }

    @Test
    void pseudonymsCorrelateTheSameSecretAcrossEventsUnderAPrivateStoreKey() throws IOException {
        Path dir = record(StoreOptions.defaults().withRedact(true).withPseudonyms(true));
        String events = Files.readString(dir.resolve(TraceStore.EVENTS));
        assertFalse(events.contains(AWS), events);
        Matcher m = Pattern.compile("\\[REDACTED:aws-secret:[0-9a-f]{4}]").matcher(events);
        assertTrue(m.find(), events);
        String first = m.group();
        assertTrue(m.find(), events);
        assertEquals(first, m.group(), "the same secret in two events has one pseudonym");
        Path key = tmp.resolve("traces").resolve(PseudonymKey.FILE);
        assertEquals(32, Files.size(key));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertTrue(TraceStore.at(tmp.resolve("traces")).scan().problems().isEmpty(), "the key file is not a session");
    }
}
