package dev.agenttrace.rules.watch;

import static dev.agenttrace.rules.watch.Events.feed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.store.TraceEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryWatcherTest {
    private final Events ev = new Events();

    @Test
    void tripsOnTheRetryAfterMaxFailedRetriesOfTheSameCall() {
        SessionWatch w = ev.watch("{\"watchers\": {\"retry\": {\"max\": 2}}}");
        TraceEvent c1 = ev.call("read_file", "{\"path\": \"a.txt\"}");
        assertTrue(feed(w, c1, ev.error(c1, -32000, "ENOENT: no such file")).isEmpty());
        TraceEvent c2 = ev.call("read_file", "{\"path\": \"a.txt\"}");
        TraceEvent c3;
        assertTrue(feed(w, c2, ev.error(c2, -32000, "ENOENT: no such file")).isEmpty(), "retry 1 of 2");
        c3 = ev.call("read_file", "{\"path\":\"a.txt\"}");
        assertTrue(feed(w, c3, ev.error(c3, -32000, "ENOENT: no such file")).isEmpty(), "retry 2 of 2");
        TraceEvent c4 = ev.call("read_file", "{ \"path\" : \"  a.txt \" }");
        List<Alert> alerts = w.observe(c4);
        assertEquals(1, alerts.size(), "the third retry (same arguments once normalised) trips, before it runs");
        Alert a = alerts.get(0);
        assertEquals("retry", a.rule());
        assertSame(c4, a.event());
        assertTrue(a.message().contains("read_file {\"path\":\"a.txt\"} failed and was retried 3 times"), a.message());
        assertTrue(a.message().contains("ENOENT"), a.message());
        assertNotNull(a.suggestion());
        assertTrue(feed(w, ev.error(c4, -32000, "ENOENT"), ev.call("read_file", "{\"path\": \"a.txt\"}")).isEmpty(), "once per storm");
    }

    @Test
    void isErrorResultsCountAsFailures() {
        SessionWatch w = ev.watch("{\"watchers\": {\"retry\": {\"max\": 0}}}");
        TraceEvent c1 = ev.call("run", "{\"cmd\": \"make\"}");
        feed(w, c1, ev.failed(c1, "make: *** [all] Error 2"));
        assertEquals(1, w.observe(ev.call("run", "{\"cmd\": \"make\"}")).size());
    }

    @Test
    void successResetsAndChangedArgumentsAreNotARetry() {
        SessionWatch w = ev.watch("{\"watchers\": {\"retry\": {\"max\": 1}}}");
        TraceEvent c1 = ev.call("fetch", "{\"url\": \"https://a\"}");
        TraceEvent c2 = ev.call("fetch", "{\"url\": \"https://a\"}");
        TraceEvent c3 = ev.call("fetch", "{\"url\": \"https://a\"}");
        assertTrue(feed(w, ev.error(c1, 429, "too many requests")).isEmpty());
        List<Alert> none = feed(w, c2, ev.ok(c2, "ok"), c3, ev.error(c3, 429, "x"),
                ev.call("fetch", "{\"url\": \"https://b\"}"));
        assertTrue(none.isEmpty(), none.toString());
        List<Alert> after = feed(w, ev.call("fetch", "{\"url\": \"https://a\"}"));
        assertTrue(after.isEmpty(), "one retry after the reset is allowed");
    }

    @Test
    void callsThatSucceedAreNeverRetries() {
        SessionWatch w = ev.watch("{\"watchers\": {\"retry\": {\"max\": 0}}}");
        for (int i = 0; i < 10; i++) {
            TraceEvent c = ev.call("Read", "{\"file_path\": \"x\"}");
            assertTrue(feed(w, c, ev.ok(c, "content")).isEmpty());
        }
    }

    @Test
    void linksThePythonProxysUnlinkedErrorsByRequestId() {
        SessionWatch w = ev.watch("{\"watchers\": {\"retry\": {\"max\": 0}}}");
        TraceEvent c1 = ev.call("nope", "{}");
        feed(w, c1, ev.unlinkedError(c1, -32602, "Unknown tool"));
        assertEquals(1, w.observe(ev.call("nope", "{}")).size());
    }

    @Test
    void blockStopsTheTrippingCallAndEveryLaterOne() {
        SessionWatch w = ev.watch("{\"watchers\": {\"retry\": {\"max\": 1, \"alert\": \"block\"}}}");
        TraceEvent c1 = ev.call("write_file", "{\"path\": \"/etc/x\"}");
        feed(w, c1, ev.error(c1, -32000, "EACCES: permission denied"));
        TraceEvent c2 = ev.call("write_file", "{\"path\": \"/etc/x\"}");
        feed(w, c2, ev.error(c2, -32000, "EACCES: permission denied"));
        assertNull(w.blocked());
        List<Alert> alerts = w.observe(ev.call("write_file", "{\"path\": \"/etc/x\"}"));
        assertEquals(Severity.CRITICAL, alerts.get(0).severity());
        Block b = w.blocked();
        assertNotNull(b, "the call that tripped is refused");
        String text = b.blockedMessage("write_file");
        assertTrue(text.contains("rule \"retry\" tripped") && text.contains("was NOT executed"), text);
        w.observe(ev.call("read_file", "{\"path\": \"y\"}"));
        assertNotNull(w.blocked(), "and so is every later call");
        w.unblock();
        assertNull(w.blocked());
    }
}
