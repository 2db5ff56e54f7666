package dev.agenttrace.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.store.TraceStore;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.json.schema.jackson2.DefaultJsonSchemaValidator;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The tools called in-process over a copy of the agent-strace fixtures whose store directory has no
 * owner write bit, so the index must stay in memory (checked: nothing is written there, even as root).
 */
class TraceToolsTest {
    static final Path FIXTURES = TestFixtures.readOnlyCopy();
    static final JsonSchemaValidator SCHEMAS = new DefaultJsonSchemaValidator();
    static final List<String> TOOLS = List.of("list_sessions", "get_session", "search_events", "get_session_summary", "diff_sessions");

    private final List<SyncToolSpecification> specs = new TraceTools(TraceStore.at(FIXTURES)).specifications();

    private CallToolResult call(String tool, Map<String, Object> args) {
        SyncToolSpecification s = specs.stream().filter(x -> x.tool().name().equals(tool)).findFirst().orElseThrow();
        return s.callHandler().apply(null, CallToolRequest.builder().name(tool).arguments(args).build());
    }

    private static String text(CallToolResult r) {
        return ((TextContent) r.content().get(0)).text();
    }

    @Test
    void everySchemaIsValidAndEveryInputSchemaDeclaresRequired() {
        assertTrue(Files.isDirectory(FIXTURES), FIXTURES.toString());
        assertEquals(TOOLS, specs.stream().map(s -> s.tool().name()).toList(), "agent-strace's names, in its order");
        for (String t : TOOLS) {
            assertTrue(SCHEMAS.validateSchema(ToolSchemas.input(t)).valid(), t);
            assertTrue(SCHEMAS.validateSchema(ToolSchemas.output(t)).valid(), t);
            // SDK 2.1.0 never answered a tools/call whose input schema had additionalProperties:false and no "required"
            assertTrue(ToolSchemas.input(t).containsKey("required"), t + " input schema declares required");
        }
    }

    @Test
    void answersMatchTheDeclaredOutputSchemas() {
        Map<String, Map<String, Object>> calls = Map.of(
                "list_sessions", Map.of(),
                "get_session", Map.of("session_id", "latest"),
                "search_events", Map.of("has_error", true),
                "get_session_summary", Map.of("session_id", "7f3e"),
                "diff_sessions", Map.of("session_a", "ffff", "session_b", "0000"));
        calls.forEach((tool, args) -> {
            CallToolResult r = call(tool, args);
            assertFalse(r.isError(), tool + ": " + text(r));
            var v = SCHEMAS.validate(ToolSchemas.output(tool), r.structuredContent());
            assertTrue(v.valid(), tool + ": " + v.errorMessage());
        });
        assertFalse(Files.exists(FIXTURES.resolve(".agent-trace-index.ndjson")), "a read-only store is left untouched");
        assertEquals("torn0000000000aa", ((Map<?, ?>) ((Map<?, ?>) call("get_session", Map.of("session_id", "latest"))
                .structuredContent()).get("session")).get("session_id"), "latest is the greatest started_at");
    }

    @Test
    void aFailingHandlerIsAnIsErrorResultWithOneLineAndNoStackTrace() {
        CallToolResult r = TraceTools.call(a -> {
            throw new IllegalStateException("disk on fire\n\tat somewhere.Deep(Deep.java:1)");
        }, CallToolRequest.builder().name("list_sessions").arguments(Map.of()).build());
        assertTrue(r.isError());
        assertEquals("agent-trace could not answer list_sessions (IllegalStateException: disk on fire)", text(r));
        CallToolResult npe = TraceTools.call(a -> {
            throw new NullPointerException();
        }, CallToolRequest.builder().name("get_session").arguments(Map.of()).build());
        assertTrue(npe.isError());
        assertTrue(text(npe).startsWith("agent-trace could not answer get_session (NullPointerException)"), text(npe));
    }

    @Test
    void anAmbiguousPrefixListsEveryMatch() {
        CallToolResult r = call("diff_sessions", Map.of("session_a", "t", "session_b", "7"));
        assertFalse(r.isError(), "t and 7 are unique prefixes: " + text(r));
        CallToolResult missing = call("get_session_summary", Map.of("session_id", "abc"));
        assertTrue(missing.isError());
        assertTrue(text(missing).contains("torn0000000000aa") && text(missing).contains("list_sessions tool"), text(missing));
    }
}
