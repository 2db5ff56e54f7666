package dev.agenttrace.cli;

import dev.agenttrace.rules.config.AgentTraceConfig;
import dev.agenttrace.store.StoreLocation;
import dev.agenttrace.store.StoreSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --trace-dir}, repeatable, for the commands that only read sessions and can read several
 * stores at once ({@code list}, {@code show}, {@code mcp}, {@code explain}, {@code stats},
 * {@code cost}, {@code diff}).
 */
final class TraceDirsOption {
    @Option(names = "--trace-dir", paramLabel = "DIR",
            description = "A trace store to read; repeat it to read several (then only those are read). Default: the store "
                    + "'record' would write to ($AGENT_TRACE_DIR, else trace_dir of the config file, else .agent-traces in the "
                    + "project root, else ~/.agent-traces) and also ~/.agent-traces when it exists and is another directory, "
                    + "unless $AGENT_TRACE_DIR names the store (README, 'Reading several stores').")
    List<Path> dirs = new ArrayList<>();

    /** The stores to read, each with the rule that chose it. */
    StoreSet stores() {
        AgentTraceConfig c = !dirs.isEmpty() ? AgentTraceConfig.NONE : Config.get();
        return StoreSet.of(StoreLocation.forReading(dirs, c.traceDir(), c.source()));
    }

    /** "agent-trace: reading DIR (why)" or one line per store, for stderr. */
    static String where(StoreSet stores) {
        if (!stores.several()) {
            return "agent-trace: reading " + stores.locations().get(0).describe();
        }
        StringBuilder sb = new StringBuilder("agent-trace: reading " + stores.stores().size() + " stores:");
        for (StoreLocation l : stores.locations()) {
            sb.append("\n  ").append(l.describe());
        }
        return sb.toString();
    }
}
