package dev.agenttrace.rules.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.SessionWriter;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceJson;
import dev.agenttrace.store.TraceStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The live watch following files another writer appends to (here: this test, line by line). */
class LiveWatchTest {
    @TempDir
    Path traces;

    private final List<String> terminal = new CopyOnWriteArrayList<>();
    private final Recorder seen = new Recorder();
    private Thread runner;
    private LiveWatch live;
    private AlertActions actions;

    static final class Recorder implements LiveWatch.Listener {
        final List<Alert> live = new CopyOnWriteArrayList<>();
        final List<Alert> replayed = new CopyOnWriteArrayList<>();
        final List<String> started = new CopyOnWriteArrayList<>();
        final List<String> ended = new CopyOnWriteArrayList<>();
        final List<String> warnings = new CopyOnWriteArrayList<>();
        volatile List<SessionCounters> status = List.of();

        @Override
        public void started(SessionMeta s, boolean existing) {
            started.add(s.sessionId + (existing ? "" : " (new)"));
        }

        @Override
        public void alert(Alert a, boolean isLive) {
            if (isLive) {
                live.add(a);
            } else {
                replayed.add(a);
            }
        }

        @Override
        public void status(List<SessionCounters> sessions) {
            status = sessions;
        }

        @Override
        public void ended(SessionCounters s) {
            ended.add(s.sessionId());
        }

        @Override
        public void warning(String message) {
            warnings.add(message);
        }
    }

    @AfterEach
    void stopWatch() throws InterruptedException {
        if (live != null) {
            live.stop();
            runner.join(5_000);
        }
        if (actions != null) {
            actions.close();
        }
    }

    private String newSession(String id) {
        SessionMeta m = new SessionMeta();
        m.sessionId = id;
        try (SessionWriter w = TraceStore.at(traces).create(m, StoreOptions.defaults())) {
            w.sessionId();
        }
        return id;
    }

    private void append(String session, String text) throws IOException {
        try (FileChannel ch = FileChannel.open(traces.resolve(session).resolve("events.ndjson"), StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
        }
    }

    private void append(TraceEvent e) throws IOException {
        append(e.sessionId(), TraceJson.eventLine(e) + "\n");
    }

    private void start(WatchConfig config, LiveWatch.Mode mode, String... sessions) {
        actions = AlertActions.builder().traceDir(traces).terminal(terminal::add).problems(terminal::add).build();
        live = new LiveWatch(TraceStore.at(traces), config, actions, seen,
                new LiveWatch.Options(mode, List.of(sessions), 0, 50, 0));
        runner = new Thread(() -> {
            try {
                live.run();
            } catch (Exception e) {
                seen.warnings.add("run failed: " + e);
            }
        }, "live-watch-test");
        runner.start();
    }

    private static boolean await(java.util.function.BooleanSupplier c, long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!c.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        return c.getAsBoolean();
    }

    /** The (one) watched session's status shows this many calls and errors. */
    private boolean counted(long calls, long errors) {
        List<SessionCounters> st = seen.status;
        return st.size() == 1 && st.get(0).toolCalls() == calls && st.get(0).errors() == errors;
    }

    private static WatchConfig retryZero() {
        return Events.config("{\"watchers\": {\"retry\": {\"max\": 0, \"alert\": [\"terminal\", \"file\"]}}}");
    }

    @Test
    void alertsOnTheAppendThatTripsAndRecordsTheAlert() throws Exception {
        Events ev = new Events("aaaa000000000001");
        String sid = newSession(ev.session);
        start(retryZero(), LiveWatch.Mode.SESSIONS, sid);
        assertTrue(await(() -> seen.started.size() == 1, 2_000));
        TraceEvent c = ev.call("read_file", "{\"path\": \"x\"}");
        append(c);
        append(ev.error(c, -32000, "ENOENT"));
        // the watch has read the call and its error (waited for, not slept on): no alert yet
        assertTrue(await(() -> counted(1, 1), 10_000), "the first call and its error were read");
        assertTrue(seen.live.isEmpty(), "a failed call alone is no retry: " + seen.live);
        append(ev.call("read_file", "{\"path\": \"x\"}"));
        // how soon is bench/watch's to measure; here: the retry trips, live, on this append
        assertTrue(await(() -> seen.live.size() == 1, 10_000), "alerted");
        assertTrue(actions.awaitIdle(Duration.ofSeconds(5)));
        assertTrue(terminal.stream().anyMatch(l -> l.contains("[warning] retry")), terminal.toString());
        assertTrue(await(() -> TraceStore.at(traces).readEvents(sid).events().stream()
                .anyMatch(e -> "alert".equals(e.data().path("kind").asText())), 2_000), "the alert is in the session's trace");
        assertEquals(2, seen.status.get(0).toolCalls());
        append(ev.event("session_end", "{\"duration_ms\": 5}"));
        runner.join(3_000);
        assertFalse(runner.isAlive(), "a watch of one session ends with it");
        assertEquals(List.of(sid), seen.ended);
    }

    @Test
    void aHalfWrittenLineWaitsForItsNewlineAndACorruptLineIsSkipped() throws Exception {
        Events ev = new Events("aaaa000000000002");
        String sid = newSession(ev.session);
        start(retryZero(), LiveWatch.Mode.SESSIONS, sid);
        TraceEvent c = ev.call("fetch", "{\"url\": \"u\"}");
        append(c);
        append(ev.error(c, 429, "rate limited"));
        append(sid, "{\"event_type\":\"tool_call\", this is not json}\n");
        String retry = TraceJson.eventLine(ev.call("fetch", "{\"url\": \"u\"}")) + "\n";
        append(sid, retry.substring(0, 40));
        // the corrupt line was read (waited for), and with it whatever of the torn one was there
        assertTrue(await(() -> seen.warnings.size() == 1 && counted(1, 1), 10_000), "read: " + seen.warnings);
        assertTrue(seen.live.isEmpty(), "the torn line is not parsed before it is complete");
        assertEquals(1, seen.warnings.size(), seen.warnings.toString());
        assertTrue(seen.warnings.get(0).contains("events.ndjson:3"), seen.warnings.get(0));
        append(sid, retry.substring(40));
        assertTrue(await(() -> seen.live.size() == 1, 2_000), "completed, then read: " + seen.warnings);
    }

    @Test
    void allModePicksUpASessionStartedMidWatch() throws Exception {
        Events first = new Events("bbbb000000000001");
        newSession(first.session);
        start(retryZero(), LiveWatch.Mode.ALL);
        assertTrue(await(() -> seen.started.size() == 1, 2_000));
        Events second = new Events("bbbb000000000002");
        newSession(second.session);
        assertTrue(await(() -> seen.started.contains(second.session + " (new)"), 3_000), seen.started.toString());
        TraceEvent c = second.call("x", "{}");
        append(c);
        append(second.error(c, 1, "boom"));
        append(second.call("x", "{}"));
        assertTrue(await(() -> seen.live.size() == 1, 10_000));
        assertEquals(second.session, seen.live.get(0).sessionId());
        assertEquals(2, seen.status.size());
    }

    @Test
    void tripsInEventsWrittenBeforeTheWatchAreReportedButNotActedOn() throws Exception {
        Events ev = new Events("cccc000000000001");
        String sid = newSession(ev.session);
        TraceEvent c = ev.call("x", "{}");
        append(c);
        append(ev.error(c, 1, "boom"));
        append(ev.call("x", "{}"));
        start(retryZero(), LiveWatch.Mode.SESSIONS, "latest");
        assertTrue(await(() -> seen.replayed.size() == 1, 2_000));
        assertTrue(actions.awaitIdle(Duration.ofSeconds(2)));
        assertTrue(terminal.isEmpty(), "no action for the past: " + terminal);
        assertTrue(seen.live.isEmpty());
        assertEquals(sid, seen.replayed.get(0).sessionId());
    }

    @Test
    void aCallLeftWaitingTripsHungOnTheClockButAStaleSessionDoesNot() throws Exception {
        Events stale = new Events("dddd000000000001");
        newSession(stale.session);
        append(stale.call("forgotten", "{}")); // written before the watch: its recorder may be long gone
        Events ev = new Events("dddd000000000002");
        newSession(ev.session);
        start(Events.config("{\"watchers\": {\"hung\": {\"max_seconds\": 0.5}}}"), LiveWatch.Mode.ALL);
        assertTrue(await(() -> seen.started.size() == 2, 2_000));
        Thread.sleep(200);
        TraceEvent e = new TraceEvent("tool_call", System.currentTimeMillis() / 1000.0, "0000000000aa", ev.session, null, null,
                Events.json("{\"tool_name\": \"slow_query\", \"arguments\": {}}"));
        append(e);
        assertTrue(await(() -> seen.live.size() == 1, 3_000), "hung after half a second of silence");
        assertEquals(ev.session, seen.live.get(0).sessionId());
        assertTrue(seen.live.get(0).message().startsWith("slow_query {} has been waiting"), seen.live.get(0).message());
        Thread.sleep(300);
        assertEquals(1, seen.live.size(), "the stale session's old call is not acted on: " + seen.live);
    }
}
