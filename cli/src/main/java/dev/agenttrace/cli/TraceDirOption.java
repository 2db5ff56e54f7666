package dev.agenttrace.cli;

import dev.agenttrace.store.TraceStore;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --trace-dir}, shared by every command that reads or writes the store. */
final class TraceDirOption {
    @Option(names = "--trace-dir", paramLabel = "DIR",
            description = "Trace store directory (default: $AGENT_TRACE_DIR, else .agent-traces in the working directory).")
    Path dir;

    Path resolve() {
        return dir != null ? dir : TraceStore.defaultDir();
    }

    TraceStore store() {
        return TraceStore.at(resolve());
    }
}
