package dev.agenttrace.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.StoreSet;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code agent-trace list}: sessions, newest first (by start time, never by id). */
@Command(name = "list", mixinStandardHelpOptions = true, description = {"List recorded sessions, newest first.",
        "Names on stderr each store it read. With several stores (--trace-dir repeated,",
        "or the project's and ~/.agent-traces) each session is marked with its store;",
        "show, explain, stats and cost find it in any of them by id, prefix or STORE/ID."})
final class ListCommand implements Callable<Integer> {
    @Mixin
    TraceDirsOption traceDir;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "Show at most N sessions (default: ${DEFAULT-VALUE}; 0 for all).")
    int limit;

    @Option(names = "--json", description = "Print JSON (an array of meta objects).")
    boolean json;

    @Option(names = "--probes", description = "Also list probe sessions: no tool traffic and ended within a second "
            + "(a client or IDE starting the server to see that it answers).")
    boolean probes;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        StoreSet stores = traceDir.stores();
        StoreSet.Listing listing = stores.scan();
        err.println(where(stores, listing));
        int unreadable = 0;
        for (StoreSet.StoreStatus st : listing.stores()) {
            if (st.problem() != null) {
                unreadable++;
                if (stores.several()) {
                    continue; // the header says it, beside the stores that were read
                }
                err.println("agent-trace: cannot read the store " + st.at().dir() + ": " + st.problem());
            }
        }
        int failed = unreadable == listing.stores().size() ? ExitCodes.FAILURE : ExitCodes.OK;
        List<StoreSet.Found> sessions = listing.sessions();
        int hidden = 0;
        if (!probes) {
            List<StoreSet.Found> work = new java.util.ArrayList<>(sessions.size());
            for (StoreSet.Found s : sessions) {
                if (s.meta().isProbe()) {
                    hidden++;
                } else {
                    work.add(s);
                }
            }
            sessions = work;
        }
        if (limit > 0 && sessions.size() > limit) {
            sessions = sessions.subList(0, limit);
        }
        if (json) {
            ObjectMapper m = new ObjectMapper();
            ArrayNode arr = m.createArrayNode();
            for (StoreSet.Found s : sessions) {
                ObjectNode o = Format.metaJson(s.meta());
                o.put("store", s.store().dir().toString());
                arr.add(o);
            }
            out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(arr));
            out.flush();
            return failed;
        }
        String probeNote = hidden == 0 ? null : hidden + (hidden == 1 ? " probe session" : " probe sessions")
                + " (no tool traffic, ended within a second) not listed; --probes lists them";
        if (sessions.isEmpty() && failed != ExitCodes.OK) {
            return failed; // no store could be read: said above, and "no sessions yet" would be a guess
        }
        String in = stores.several() ? "these stores" : stores.first().dir().toString();
        if (sessions.isEmpty() && probeNote != null) {
            err.println("agent-trace: no sessions with tool traffic in " + in + "; " + probeNote);
            return failed;
        }
        if (sessions.isEmpty()) {
            err.println("agent-trace: no sessions in " + in + " yet. Record one with: agent-trace record -- <server command>");
            return failed;
        }
        int storeWidth = 5;
        if (stores.several()) {
            for (StoreSet.Found f : sessions) {
                storeWidth = Math.max(storeWidth, label(f.store().dir()).length());
            }
            out.printf("%-18s %-20s %10s %6s %6s  %-" + storeWidth + "s  %s%n", "SESSION", "STARTED (UTC)", "DURATION", "CALLS",
                    "ERRORS", "STORE", "COMMAND");
        } else {
            out.printf("%-18s %-20s %10s %6s %6s  %s%n", "SESSION", "STARTED (UTC)", "DURATION", "CALLS", "ERRORS", "COMMAND");
        }
        for (StoreSet.Found f : sessions) {
            SessionMeta s = f.meta();
            String store = stores.several() ? String.format("%-" + storeWidth + "s  ", label(f.store().dir())) : "";
            String state = s.damage != null ? "DAMAGED" : s.endedAt == null ? "running?" : Format.duration(s.totalDurationMs > 0
                    ? s.totalDurationMs : (s.endedAt - (s.startedAt == null ? s.endedAt : s.startedAt)) * 1000);
            out.printf("%-18s %-20s %10s %6d %6d  %s%s%n", s.sessionId, Format.time(s.startedAt), state,
                    s.toolCalls, s.errors, store, Format.clip(s.command == null ? (s.agentName == null ? "" : s.agentName) : s.command, 60));
            if (s.damage != null) {
                out.println("  ! " + s.damage + "; counters from its events (agent-trace show "
                        + (stores.several() ? f.path() : s.sessionId) + ")");
            }
        }
        if (probeNote != null) {
            out.println(probeNote);
        }
        out.flush();
        return failed;
    }

    /** The stderr header: the store read, or each store read with what it held. */
    static String where(StoreSet stores, StoreSet.Listing listing) {
        if (!stores.several()) {
            return TraceDirsOption.where(stores);
        }
        StringBuilder sb = new StringBuilder("agent-trace: reading " + stores.stores().size() + " stores:");
        for (StoreSet.StoreStatus st : listing.stores()) {
            sb.append("\n  ").append(st.at().describe()).append(": ").append(st.state());
        }
        return sb.toString();
    }

    /** A store as the STORE column shows it: ~ for the home directory. */
    static String label(java.nio.file.Path dir) {
        java.nio.file.Path home = java.nio.file.Path.of(System.getProperty("user.home")).toAbsolutePath().normalize();
        return dir.startsWith(home) && !dir.equals(home) ? "~/" + home.relativize(dir) : dir.toString();
    }

}
