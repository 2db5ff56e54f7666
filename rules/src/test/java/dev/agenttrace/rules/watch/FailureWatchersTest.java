package dev.agenttrace.rules.watch;

import static dev.agenttrace.rules.watch.Events.feed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.TraceEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Error rate, error kind, silent failure and hung calls. */
class FailureWatchersTest {
    private final Events ev = new Events();

    @Test
    void classifiesErrorKindsFromWordsThenCodes() {
        assertEquals(ErrorKind.TIMEOUT, ErrorKind.classify(-32001, "Request timed out"));
        assertEquals(ErrorKind.TIMEOUT, ErrorKind.classify(-32001, null));
        assertEquals(ErrorKind.NOT_FOUND, ErrorKind.classify(-32602, "Unknown tool: nope"));
        assertEquals(ErrorKind.INVALID_ARGUMENTS, ErrorKind.classify(-32602, "Invalid params"));
        assertEquals(ErrorKind.INVALID_ARGUMENTS, ErrorKind.classify(-32602, null));
        assertEquals(ErrorKind.PERMISSION, ErrorKind.classify(null, "EACCES: permission denied, open '/etc/shadow'"));
        assertEquals(ErrorKind.PERMISSION, ErrorKind.classify(null, "Access denied - path outside allowed directories"));
        assertEquals(ErrorKind.RATE_LIMITED, ErrorKind.classify(null, "429 Too Many Requests"));
        assertEquals(ErrorKind.NOT_FOUND, ErrorKind.classify(null, "ENOENT: no such file or directory"));
        assertEquals(ErrorKind.OTHER, ErrorKind.classify(-32603, "boom"));
    }

    @Test
    void errorKindTripsPerKindAtItsCount() {
        SessionWatch w = ev.watch("{\"watchers\": {\"error_kind\": {\"kinds\": {\"permission\": 1, \"rate_limited\": 2}}}}");
        TraceEvent a = ev.call("fetch", "{\"url\": \"u1\"}");
        TraceEvent b = ev.call("fetch", "{\"url\": \"u2\"}");
        assertTrue(feed(w, a, ev.error(a, 429, "rate limit exceeded")).isEmpty());
        List<Alert> rate = feed(w, b, ev.error(b, 429, "rate limit exceeded"));
        assertEquals(1, rate.size());
        assertTrue(rate.get(0).message().startsWith("2 rate limited errors"), rate.get(0).message());
        TraceEvent c = ev.call("read_file", "{\"path\": \"/root/x\"}");
        List<Alert> perm = feed(w, c, ev.failed(c, "Error: Access denied - path outside allowed directories"));
        assertEquals("permission", perm.get(0).message().split(" ")[1]);
    }

    @Test
    void errorRateNeedsEnoughCallsAndReArms() {
        SessionWatch w = ev.watch("{\"watchers\": {\"error_rate\": {\"max_rate\": 0.5, \"window\": 4, \"min_calls\": 4}}}");
        TraceEvent c1 = ev.call("a", "{\"i\":1}");
        TraceEvent c2 = ev.call("a", "{\"i\":2}");
        TraceEvent c3 = ev.call("a", "{\"i\":3}");
        assertTrue(feed(w, c1, ev.error(c1, 1, "x"), c2, ev.error(c2, 1, "x"), c3, ev.error(c3, 1, "x")).isEmpty(), "only 3 calls");
        TraceEvent c4 = ev.call("a", "{\"i\":4}");
        List<Alert> alerts = feed(w, c4, ev.ok(c4, "fine"));
        assertEquals(1, alerts.size());
        assertTrue(alerts.get(0).message().startsWith("3 of the last 4 calls failed (75%"), alerts.get(0).message());
    }

    @Test
    void silentFailureIsAnErrorIgnoredByTheNextCall() {
        SessionWatch w = ev.watch("{\"watchers\": {\"silent_failure\": {}}}");
        TraceEvent write = ev.call("write_file", "{\"path\": \"out/report.md\", \"content\": \"...\"}");
        TraceEvent next = ev.call("git_commit", "{\"message\": \"add report\"}");
        List<Alert> alerts = feed(w, write, ev.error(write, -32000, "EROFS: read-only file system"), next);
        assertEquals(1, alerts.size());
        assertTrue(alerts.get(0).message().contains("write_file") && alerts.get(0).message().contains("as if it had not"),
                alerts.get(0).message());
    }

    @Test
    void reactingToAFailureIsNotSilent() {
        SessionWatch w = ev.watch("{\"watchers\": {\"silent_failure\": {}}}");
        TraceEvent read = ev.call("read_file", "{\"path\": \"docs/guide.md\"}");
        TraceEvent list = ev.call("list_directory", "{\"path\": \"docs\"}");
        assertTrue(feed(w, read, ev.error(read, -32000, "ENOENT"), list).isEmpty(), "looking where the failed path was");
        TraceEvent b1 = ev.call("Bash", "{\"command\": \"python -m pytest\"}");
        TraceEvent b2 = ev.call("Bash", "{\"command\": \"uv run pytest\"}");
        assertTrue(feed(w, b1, ev.error(b1, 1, "tool call failed"), b2).isEmpty(), "correcting with the same tool");
        TraceEvent x = ev.call("fetch", "{\"url\": \"https://a\"}");
        assertTrue(feed(w, x, ev.error(x, 1, "boom"), ev.event(EventTypes.ASSISTANT_RESPONSE, "{\"text\": \"the fetch failed\"}"),
                ev.call("read_file", "{\"path\": \"z\"}")).isEmpty(), "the agent said something about it first");
    }

    @Test
    void hungTripsWhenACallWaitsWithNoTraffic() {
        SessionWatch w = ev.watch("{\"watchers\": {\"hung\": {\"max_seconds\": 30}}}");
        TraceEvent slow = ev.call("long_job", "{}");
        assertTrue(w.observe(slow).isEmpty());
        assertTrue(w.tick(ev.now() + 29).isEmpty());
        List<Alert> alerts = w.tick(ev.now() + 31);
        assertEquals(1, alerts.size());
        assertTrue(alerts.get(0).message().startsWith("long_job {} has been waiting 31 s"), alerts.get(0).message());
        assertTrue(w.tick(ev.now() + 90).isEmpty(), "once per call");
    }

    @Test
    void hungNeedsSilenceAndAnOutstandingCall() {
        SessionWatch w = ev.watch("{\"watchers\": {\"hung\": {\"max_seconds\": 30}}}");
        TraceEvent c = ev.call("quick", "{}");
        feed(w, c, ev.ok(c, "done"));
        assertTrue(w.tick(ev.now() + 100).isEmpty(), "nothing outstanding");
        SessionWatch replay = ev.watch("{\"watchers\": {\"hung\": {\"max_seconds\": 30}}}");
        TraceEvent s = ev.call("slow", "{}");
        replay.observe(s);
        ev.advance(45);
        List<Alert> late = replay.observe(ev.ok(s, "finally"));
        assertEquals(1, late.size(), "a replay sees the gap at the next event");
    }

    @Test
    void aCallRefusedByTheFirewallIsAnsweredNotHung() {
        SessionWatch w = ev.watch("{\"watchers\": {\"hung\": {\"max_seconds\": 5}}}");
        TraceEvent c = ev.call("Read", "{\"file_path\": \".env\"}");
        w.observe(c);
        w.observe(ev.event(EventTypes.DECISION, c.eventId(), Events.json("{\"kind\": \"policy_violation\", \"choice\": \"block\", \"reason\": \"denied\"}")));
        assertTrue(w.tick(ev.now() + 60).isEmpty());
        assertEquals(1, w.counters(ev.now()).errors());
    }
}
