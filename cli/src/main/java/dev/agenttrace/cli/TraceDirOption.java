package dev.agenttrace.cli;

import dev.agenttrace.rules.config.AgentTraceConfig;
import dev.agenttrace.store.StoreLocation;
import dev.agenttrace.store.TraceStore;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --trace-dir}, shared by every command that reads or writes the store. */
final class TraceDirOption {
    @Option(names = "--trace-dir", paramLabel = "DIR",
            description = "Trace store directory (default: $AGENT_TRACE_DIR, else trace_dir of the config file, else "
                    + ".agent-traces in the project root of the working directory, else ~/.agent-traces; README, 'The store').")
    Path dir;

    /** Where the store is and which rule chose it. */
    StoreLocation location() {
        AgentTraceConfig c = dir != null ? AgentTraceConfig.NONE : Config.get();
        return StoreLocation.resolve(dir, c.traceDir(), c.source());
    }

    Path resolve() {
        return location().dir();
    }

    TraceStore store() {
        return TraceStore.at(resolve());
    }

    /**
     * The store a proxy records into, created with its {@code .gitignore} when new; the start line
     * on stderr says where it is and why there.
     */
    Path forWriting(PrintStream err) {
        StoreLocation at = location();
        try {
            StoreLocation.prepare(at.dir());
        } catch (IOException e) {
            // the proxy still forwards; the writer's one warning says the trace is off and why
            return at.dir();
        }
        err.println("agent-trace: traces go to " + at.describe());
        return at.dir();
    }
}
