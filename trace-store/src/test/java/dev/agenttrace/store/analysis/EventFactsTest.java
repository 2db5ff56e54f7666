package dev.agenttrace.store.analysis;

import static dev.agenttrace.store.analysis.Events.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class EventFactsTest {
    @Test
    void pathsComeFromUrisHookArgumentsAndFilesystemServerArguments() {
        assertEquals(List.of("/a/b.txt"), EventFacts.paths(event("file_read", 1, "e", null, null, "{\"uri\":\"file:///a/b.txt\"}")));
        assertEquals(List.of("/p/.env"), EventFacts.paths(event("tool_call", 1, "e", null, null,
                "{\"tool_name\":\"Read\",\"arguments\":{\"file_path\":\"/p/.env\"}}")));
        assertEquals(List.of("x", "y", "z"), EventFacts.paths(event("tool_call", 1, "e", null, null,
                "{\"tool_name\":\"read_multiple_files\",\"arguments\":{\"path\":\"x\",\"paths\":[\"y\",\"z\"]}}")));
    }

    @Test
    void exitCodesFromSessionEndStructuredResultsAndClaudeCodeErrors() {
        assertEquals(3, EventFacts.exitCode(event("session_end", 1, "e", null, null, "{\"exit_code\":3}")));
        assertEquals(2, EventFacts.exitCode(event("tool_result", 1, "e", null, null,
                "{\"result\":{\"structuredContent\":{\"exitCode\":2}}}")));
        assertEquals(1, EventFacts.exitCode(event("error", 1, "e", null, null, "{\"tool_name\":\"Bash\",\"error\":\"Exit code 1\\nFAILED\"}")));
        assertNull(EventFacts.exitCode(event("tool_result", 1, "e", null, null, "{\"content_preview\":\"all good\"}")));
    }

    @Test
    void failuresAreErrorsAndIsErrorResultsButNotCancellations() {
        assertTrue(EventFacts.isError(event("error", 1, "e", null, null, "{\"message\":\"x\"}")));
        assertFalse(EventFacts.isError(event("error", 1, "e", null, null, "{\"cancelled\":true}")));
        assertTrue(EventFacts.isError(event("tool_result", 1, "e", null, null, "{\"is_error\":true}")));
        assertFalse(EventFacts.isError(event("tool_result", 1, "e", null, null, "{\"content_preview\":\"ok\"}")));
        assertTrue(EventFacts.isWrite(event("tool_call", 1, "e", null, null, "{\"tool_name\":\"Edit\"}")));
    }
}
