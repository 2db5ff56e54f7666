package dev.agenttrace.store;

import java.util.List;

/**
 * What a session file held: its events in file order, and one warning per line that was skipped
 * (a torn last line left by a killed writer, a corrupt line in the middle). A bad line never
 * costs the rest of the session.
 *
 * @param events   events in the order they were written
 * @param warnings human-readable, each naming the file and line ("…/events.ndjson:6: …")
 */
public record EventRead(List<TraceEvent> events, List<String> warnings) {
    public EventRead {
        events = List.copyOf(events);
        warnings = List.copyOf(warnings);
    }
}
