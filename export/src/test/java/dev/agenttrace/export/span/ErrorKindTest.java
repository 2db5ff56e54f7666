package dev.agenttrace.export.span;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The classifier on error texts as real MCP servers and SDKs word them. */
class ErrorKindTest {
    @ParameterizedTest(name = "{2} <- {1}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        // @modelcontextprotocol/server-filesystem
        "null|Error: Access denied - path outside allowed directories: /etc/passwd not in /tmp/proj|PERMISSION_DENIED",
        "null|Error: ENOENT: no such file or directory, open '/tmp/proj/missing.txt'|NOT_FOUND",
        "null|Error: EACCES: permission denied, open '/tmp/proj/locked'|PERMISSION_DENIED",
        // TypeScript SDK (McpServer) and Java SDK errors
        "-32602|MCP error -32602: Tool nope not found|UNKNOWN_TOOL",
        "-32602|Unknown tool: invalid_tool_name|UNKNOWN_TOOL",
        "-32602|MCP error -32602: Input validation error: Invalid arguments for tool echo: [{\"code\": \"invalid_type\", \"expected\": \"string\", \"received\": \"undefined\", \"path\": [\"message\"], \"message\": \"Required\"}]|INVALID_ARGS",
        "-32001|MCP error -32001: Request timed out|TIMEOUT",
        "-32601|Method not found|PROTOCOL",
        "-32603|Internal error|INTERNAL",
        "-32002|Resource not found: test://nope|NOT_FOUND",
        // GitHub server, fetch server, remote APIs
        "null|API rate limit exceeded for user ID 1234.|RATE_LIMITED",
        "null|Bad credentials|PERMISSION_DENIED",
        "null|Failed to fetch https://example.com/x - status code 404|NOT_FOUND",
        "null|Error: 429 Too Many Requests|RATE_LIMITED",
        "null|connect ECONNREFUSED 127.0.0.1:5432|UNAVAILABLE",
        "null|Command timed out after 120000 ms|TIMEOUT",
        // agent-trace's own blocked result, a cancel, a plain failure
        "null|agent-trace policy: Bash was NOT executed: commands.deny matched 'curl'|BLOCKED",
        "null|cancelled by the client: user pressed escape|CANCELLED",
        "null|it failed on purpose|OTHER",
        // agent-strace's hook error (the fixture)
        "null|tool call failed|OTHER",
    })
    void classifiesRealServerErrors(Integer code, String message, ErrorKind expected) {
        assertEquals(expected, ErrorKind.classify(code, message));
    }
}
