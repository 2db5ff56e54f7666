package dev.agenttrace.hooks.serve;

import static dev.agenttrace.hooks.serve.HookServerFixture.event;
import static dev.agenttrace.hooks.serve.HookServerFixture.ofType;
import static dev.agenttrace.hooks.serve.HookServerFixture.postTool;
import static dev.agenttrace.hooks.serve.HookServerFixture.preTool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No hook event is lost under concurrent sessions: every hook serve answered is one event on disk
 * once the session ended, and every result is paired with its own call by {@code tool_use_id},
 * also when a session's parallel calls of one tool finish in the other order. (bench/hooks
 * measures the same at 10,000 calls over 32 sessions.)
 */
class HookNoLossTest {
    static final int SESSIONS = 8;
    static final int CALLS_PER_SESSION = 250;

    @TempDir
    Path tmp;

    @Test
    void everyHookOfEightConcurrentSessionsIsOneEventOnDisk() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        // judged by a policy (nothing sent here breaks it): the calls go through the firewall as in use
        Files.writeString(project.resolve(".agent-scope.json"), "{\"commands\": {\"deny\": [\"curl\", \"sudo\"]},"
                + " \"files\": {\"read\": {\"deny\": [\"**/.env\"]}}}\n");
        try (HookServerFixture f = new HookServerFixture(tmp.resolve("traces"))) {
            ExecutorService pool = Executors.newFixedThreadPool(SESSIONS);
            List<Future<Set<String>>> sent = new ArrayList<>();
            for (int k = 0; k < SESSIONS; k++) {
                int session = k;
                sent.add(pool.submit(() -> runSession(f, project, session)));
            }
            pool.shutdown();
            assertTrue(pool.awaitTermination(5, TimeUnit.MINUTES), "the sessions did not finish");
            int total = 0;
            for (int k = 0; k < SESSIONS; k++) {
                Set<String> useIds = sent.get(k).get();
                List<JsonNode> ev = f.events(storeId(k), e -> HookServerFixture.has("session_end", 1).test(e) && e.size() >= CALLS_PER_SESSION);
                assertEquals(CALLS_PER_SESSION, ev.size(), "session " + k + ": hooks answered vs events on disk");
                int pairs = (CALLS_PER_SESSION - 4) / 2;
                assertEquals(1, ofType(ev, "session_start").size());
                assertEquals(1, ofType(ev, "user_prompt").size());
                assertEquals(pairs, ofType(ev, "tool_call").size());
                assertEquals(pairs, ofType(ev, "tool_result").size());
                assertEquals(1, ofType(ev, "assistant_response").size());
                assertEquals(1, ofType(ev, "session_end").size());
                Map<String, String> useIdOfCall = new HashMap<>();
                Set<String> recorded = new HashSet<>();
                for (JsonNode c : ofType(ev, "tool_call")) {
                    String id = c.path("data").path("request_id").asText();
                    assertTrue(recorded.add(id), "tool_use_id " + id + " recorded twice");
                    useIdOfCall.put(c.path("event_id").asText(), id);
                }
                assertEquals(useIds, recorded, "session " + k + ": the calls on disk are not the calls sent");
                for (JsonNode r : ofType(ev, "tool_result")) {
                    String id = r.path("data").path("tool_use_id").asText();
                    assertEquals(id, useIdOfCall.get(r.path("parent_id").asText()), "result " + r + " paired with the wrong call");
                    assertTrue(r.path("data").path("result").asText().contains(id), "result " + r + " is another call's");
                }
                total += ev.size();
            }
            assertEquals(SESSIONS * CALLS_PER_SESSION, total);
        }
    }

    /** One agent session: start, a prompt, pairs of parallel Bash calls whose results come back in the other order, Stop, end. */
    private static Set<String> runSession(HookServerFixture f, Path project, int k) {
        String session = sessionId(k);
        Set<String> useIds = new HashSet<>();
        ObjectNode start = event("SessionStart", session, project);
        start.put("source", "startup");
        f.claude(start);
        ObjectNode prompt = event("UserPromptSubmit", session, project);
        prompt.put("prompt", "run the checks");
        f.claude(prompt);
        int pairs = (CALLS_PER_SESSION - 4) / 2;
        for (int i = 0; i < pairs; i += 2) {
            String a = "toolu_" + k + "_" + i;
            String b = "toolu_" + k + "_" + (i + 1);
            String inA = "{\"command\":\"git log -n " + i + "\"}";
            String inB = "{\"command\":\"ls src/m" + i + "\"}";
            f.claude(preTool(session, project, "Bash", a, inA));
            useIds.add(a);
            if (i + 1 < pairs) {
                f.claude(preTool(session, project, "Bash", b, inB));
                useIds.add(b);
                f.claude(postTool(session, project, "Bash", b, inB, "{\"stdout\":\"out of " + b + "\",\"stderr\":\"\"}"));
            }
            f.claude(postTool(session, project, "Bash", a, inA, "{\"stdout\":\"out of " + a + "\",\"stderr\":\"\"}"));
        }
        ObjectNode stop = event("Stop", session, project);
        stop.put("last_assistant_message", "done");
        f.claude(stop);
        ObjectNode end = event("SessionEnd", session, project);
        end.put("reason", "prompt_input_exit");
        f.claude(end);
        return useIds;
    }

    private static String sessionId(int k) {
        return String.format(Locale.ROOT, "5e55%04x-0000-4000-8000-%012x", k, k);
    }

    private static String storeId(int k) {
        return sessionId(k).substring(0, 16);
    }
}
