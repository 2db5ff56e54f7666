package dev.agenttrace.rules.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.store.TraceEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a proxy forwards and answers once a watch rule has blocked the session. */
class WatchGateTest {
    private final Events ev = new Events();
    private final ObjectMapper json = new ObjectMapper();

    private WatchedSession blockedSession() {
        SessionWatch w = ev.watch("{\"watchers\": {\"loop\": {\"window\": 2, \"max_same_calls\": 2, \"alert\": \"block\"}}}");
        List<Alert> alerts = Events.feed(w, ev.call("spin", "{}"), ev.call("spin", "{}"));
        assertEquals(1, alerts.size());
        assertNotNull(w.blocked());
        return new WatchedSession(new SessionTarget(w, null, 0, null, true), AlertActions.builder().build());
    }

    @Test
    void aSessionThatIsNotBlockedForwardsEverything() {
        SessionWatch w = ev.watch("{\"watchers\": {\"retry\": {\"max\": 3, \"alert\": \"block\"}}}");
        WatchedSession s = new WatchedSession(new SessionTarget(w, null, 0, null, true), AlertActions.builder().build());
        byte[] body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"x\"}}".getBytes(StandardCharsets.UTF_8);
        assertNull(WatchGate.judge(s, body, 0, body.length, List.of(ev.call("x", "{}"))));
    }

    @Test
    void aBlockedBatchForwardsItsOtherMessagesAndAnswersItsCallsWithTheirIds() throws Exception {
        WatchedSession s = blockedSession();
        byte[] body = """
                 [{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"spin","arguments":{}}},
                  {"jsonrpc":"2.0","id":7,"method":"ping"}]""".getBytes(StandardCharsets.UTF_8);
        TraceEvent call = ev.call("spin", "{}");
        ((com.fasterxml.jackson.databind.node.ObjectNode) call.data()).put("request_id", "a");
        WatchGate.Refusal r = WatchGate.judge(s, body, 0, body.length, List.of(call));
        assertNotNull(r);
        JsonNode forwarded = json.readTree(r.forward());
        assertEquals(1, forwarded.size());
        assertEquals("ping", forwarded.get(0).path("method").asText());
        JsonNode reply = json.readTree(r.reply());
        assertTrue(reply.isArray(), "a batch is answered with a batch");
        assertEquals("a", reply.get(0).path("id").asText());
        assertTrue(reply.get(0).at("/result/isError").asBoolean());
        assertEquals("loop", reply.get(0).at("/result/_meta/dev.agenttrace~1watch/rule").asText());
        assertEquals(List.of("spin"), r.tools());
        assertEquals(1, r.decisions().size(), "a call after the tripping one gets its own decision");
        assertEquals(call.eventId(), r.decisions().get(0).parentId());
    }

    @Test
    void aBlockedSingleCallIsAnsweredWithItsIdTypeKept() throws Exception {
        WatchedSession s = blockedSession();
        byte[] body = "{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"tools/call\",\"params\":{\"name\":\"spin\"}}".getBytes(StandardCharsets.UTF_8);
        TraceEvent call = ev.call("spin", "{}");
        ((com.fasterxml.jackson.databind.node.ObjectNode) call.data()).put("request_id", 42);
        WatchGate.Refusal r = WatchGate.judge(s, body, 0, body.length, List.of(call));
        assertNull(r.forward());
        JsonNode reply = json.readTree(r.reply());
        assertTrue(reply.path("id").isIntegralNumber());
        assertTrue(reply.at("/result/content/0/text").asText().contains("was NOT executed"));
    }
}
