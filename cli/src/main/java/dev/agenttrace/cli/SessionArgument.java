package dev.agenttrace.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code [SESSION] [--json]}: what the one-session analysis commands (explain, stats, cost) take. */
final class SessionArgument {
    @Parameters(paramLabel = "SESSION", defaultValue = "latest",
            description = "A session id, a unique prefix of one, 'latest' (the most recently started; default), or STORE/ID "
                    + "(the session's directory, when the same id is in two stores).")
    String session;

    @Option(names = "--json", description = "Print JSON (the shape the MCP server's tools return).")
    boolean json;
}
