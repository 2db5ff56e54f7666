package dev.agenttrace.rules.watch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.store.SessionMeta;
import java.nio.file.Path;

/**
 * What the watchers of one session need to know besides its events.
 *
 * @param sessionId the session
 * @param startedAt epoch seconds the session started (meta {@code started_at}); null to take the
 *                  first event's timestamp
 * @param root      the project root paths are judged against (the proxy's working directory; for a
 *                  stored session its {@code attribution.working_dir})
 * @param home      what {@code ~} means
 */
public record SessionContext(String sessionId, Double startedAt, Path root, Path home) {

    /** A session recorded elsewhere: its meta says where it ran. */
    public static SessionContext of(SessionMeta meta) {
        Path root = null;
        if (meta.attribution != null) {
            JsonNode wd = meta.attribution.get("working_dir");
            if (wd != null && wd.isTextual() && !wd.asText().isBlank()) {
                root = Path.of(wd.asText());
            }
        }
        return new SessionContext(meta.sessionId, meta.startedAt, root != null ? root : Path.of("").toAbsolutePath(),
                Path.of(System.getProperty("user.home")));
    }

    /** A session recorded by this process, in the current working directory. */
    public static SessionContext here(String sessionId, Double startedAt) {
        return new SessionContext(sessionId, startedAt, Path.of("").toAbsolutePath(), Path.of(System.getProperty("user.home")));
    }
}
