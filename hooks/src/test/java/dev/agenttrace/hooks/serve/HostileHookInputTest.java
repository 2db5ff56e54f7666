package dev.agenttrace.hooks.serve;

import static dev.agenttrace.hooks.serve.HookServerFixture.event;
import static dev.agenttrace.hooks.serve.HookServerFixture.has;
import static dev.agenttrace.hooks.serve.HookServerFixture.ofType;
import static dev.agenttrace.hooks.serve.HookServerFixture.preTool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a hostile or broken client gets at /hooks/*: a clear answer, nothing the policy forbids let through, the endpoint still up. */
class HostileHookInputTest {
    static final String SESSION = "5e551011-0000-4000-8000-000000000001";

    @TempDir
    Path tmp;
    Path project;

    @BeforeEach
    void project() throws Exception {
        project = Files.createDirectories(tmp.resolve("project"));
        Files.writeString(project.resolve(".agent-scope.json"), "{\"commands\": {\"deny\": [\"curl\"]}}");
    }

    private String post(HookServerFixture f, String headers, String body) throws Exception {
        return f.raw("POST /hooks/claude-code HTTP/1.1\r\n" + headers + "Content-Type: application/json\r\nContent-Length: "
                + body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n" + body);
    }

    private static void assertStillUp(HookServerFixture f) {
        HttpResponse<String> h = f.post("/hooks/claude-code", preTool(SESSION, Path.of("/"), "Read", "t-up", "{\"file_path\":\"/etc/hostname\"}")
                .toString());
        assertEquals(200, h.statusCode(), h.body());
    }

    @Test
    void aForeignOriginIsRefusedWith403AndNothingIsRecorded() throws Exception {
        try (HookServerFixture f = new HookServerFixture(tmp.resolve("traces"))) {
            String body = preTool(SESSION, project, "Bash", "t1", "{\"command\":\"ls\"}").toString();
            String r = post(f, "Host: 127.0.0.1:" + f.server.port() + "\r\nOrigin: https://evil.example\r\n", body);
            assertTrue(r.startsWith("HTTP/1.1 403"), r);
            assertTrue(r.contains("Origin 'https://evil.example' is not allowed"), r);
            assertFalse(Files.exists(f.traceDir.resolve("5e551011-0000-40")), "a refused request leaves no trace session");
            assertStillUp(f);
        }
    }

    @Test
    void aHostThatIsNotThisServerIsRefusedWith421() throws Exception {
        try (HookServerFixture f = new HookServerFixture(tmp.resolve("traces"))) {
            String r = post(f, "Host: rebind.evil.example:" + f.server.port() + "\r\n", preTool(SESSION, project, "Bash", "t1", "{\"command\":\"ls\"}").toString());
            assertTrue(r.startsWith("HTTP/1.1 421"), r);
            assertStillUp(f);
        }
    }

    @Test
    void malformedJsonGets400SayingWhy() throws Exception {
        try (HookServerFixture f = new HookServerFixture(tmp.resolve("traces"))) {
            for (String bad : List.of("{\"session_id\": \"x\", ", "[1,2,3]", "\"just a string\"", "", "{\"hook_event_name\":\"PreToolUse\"}",
                    "{\"session_id\": 42, \"hook_event_name\": \"PreToolUse\"}",
                    "{\"session_id\":\"s\",\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\",\"tool_input\":\"curl x\"}")) {
                HttpResponse<String> r = f.post("/hooks/claude-code", bad);
                assertEquals(400, r.statusCode(), bad + " -> " + r.body());
                assertTrue(r.body().startsWith("{\"error\":\""), r.body());
            }
            assertStillUp(f);
        }
    }

    @Test
    void aHugePayloadGets413AndTheEndpointStaysUp() throws Exception {
        try (HookServerFixture f = new HookServerFixture(tmp.resolve("traces"))) {
            String huge = "{\"session_id\":\"s\",\"hook_event_name\":\"PostToolUse\",\"tool_response\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";
            HttpResponse<String> r = f.post("/hooks/claude-code", huge);
            assertEquals(413, r.statusCode());
            assertTrue(r.body().contains("larger than"), r.body());
            assertStillUp(f);
        }
    }

    @Test
    void anUnknownEventIsRecordedAndAnsweredWithNoObjection() throws Exception {
        try (HookServerFixture f = new HookServerFixture(tmp.resolve("traces"))) {
            JsonNode a = f.claude(event("SomethingNew", SESSION, project));
            assertEquals("{}", a.toString());
            List<JsonNode> ev = f.events("5e551011-0000-40", has("decision", 1));
            assertEquals("SomethingNew", ofType(ev, "decision").get(0).path("data").path("hook_event").asText());
        }
    }

    @Test
    void unknownPathsAndMethodsAreRefusedClearly() throws Exception {
        try (HookServerFixture f = new HookServerFixture(tmp.resolve("traces"))) {
            assertEquals(404, f.post("/hooks/no-such-agent", "{}").statusCode());
            assertTrue(f.post("/hooks/no-such-agent", "{}").body().contains("claude-code, cursor"));
            assertEquals(404, f.post("/elsewhere", "{}").statusCode());
            String get = f.raw("GET /hooks/claude-code HTTP/1.1\r\nHost: 127.0.0.1:" + f.server.port() + "\r\nConnection: close\r\n\r\n");
            assertTrue(get.startsWith("HTTP/1.1 405"), get);
        }
    }

    @Test
    void escapedSpellingsOfAForbiddenCommandAreStillRefused() throws Exception {
        try (HookServerFixture f = new HookServerFixture(tmp.resolve("traces"))) {
            String body = "{\"session_id\":\"" + SESSION + "\",\"cwd\":\"" + project + "\",\"hook_event_name\":\"Pre\\u0054oolUse\","
                    + "\"tool_name\":\"B\\u0061sh\",\"tool_use_id\":\"t9\",\"tool_input\":{\"command\":\"\\u0063url https://x.example\"}}";
            HttpResponse<String> r = f.post("/hooks/claude-code", body);
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("\"permissionDecision\":\"deny\""), r.body());
        }
    }

    @Test
    void aDuplicatedToolInputKeyCannotSmuggleACommandPastTheFirewall() throws Exception {
        try (HookServerFixture f = new HookServerFixture(tmp.resolve("traces"))) {
            // whichever copy the agent would act on, the answer must not let curl through
            String body = "{\"session_id\":\"" + SESSION + "\",\"cwd\":\"" + project + "\",\"hook_event_name\":\"PreToolUse\","
                    + "\"tool_name\":\"Bash\",\"tool_use_id\":\"t10\",\"tool_input\":{\"command\":\"curl https://x.example\",\"command\":\"ls\"}}";
            HttpResponse<String> r = f.post("/hooks/claude-code", body);
            assertTrue(r.statusCode() == 400 || r.body().contains("\"permissionDecision\":\"deny\""), r.statusCode() + " " + r.body());
        }
    }
}
