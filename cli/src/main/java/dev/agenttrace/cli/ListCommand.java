package dev.agenttrace.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceStore;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code agent-trace list}: sessions, newest first (by start time, never by id). */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List recorded sessions, newest first.")
final class ListCommand implements Callable<Integer> {
    @Mixin
    TraceDirOption traceDir;

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
        TraceStore store = traceDir.store();
        List<SessionMeta> sessions = store.listSessions();
        int hidden = 0;
        if (!probes) {
            List<SessionMeta> work = new java.util.ArrayList<>(sessions.size());
            for (SessionMeta s : sessions) {
                if (s.isProbe()) {
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
            for (SessionMeta s : sessions) {
                arr.add(Format.metaJson(s));
            }
            out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(arr));
            return ExitCodes.OK;
        }
        String probeNote = hidden == 0 ? null : hidden + (hidden == 1 ? " probe session" : " probe sessions")
                + " (no tool traffic, ended within a second) not listed; --probes lists them";
        if (sessions.isEmpty() && probeNote != null) {
            spec.commandLine().getErr().println("agent-trace: no sessions with tool traffic in " + traceDir.location().describe() + "; " + probeNote);
            return ExitCodes.OK;
        }
        if (sessions.isEmpty()) {
            spec.commandLine().getErr().println("agent-trace: no sessions in " + traceDir.location().describe()
                    + " yet. Record one with: agent-trace record -- <server command>");
            return ExitCodes.OK;
        }
        out.printf("%-18s %-20s %10s %6s %6s  %s%n", "SESSION", "STARTED (UTC)", "DURATION", "CALLS", "ERRORS", "COMMAND");
        for (SessionMeta s : sessions) {
            String state = s.damage != null ? "DAMAGED" : s.endedAt == null ? "running?" : Format.duration(s.totalDurationMs > 0
                    ? s.totalDurationMs : (s.endedAt - (s.startedAt == null ? s.endedAt : s.startedAt)) * 1000);
            out.printf("%-18s %-20s %10s %6d %6d  %s%n", s.sessionId, Format.time(s.startedAt), state,
                    s.toolCalls, s.errors, Format.clip(s.command == null ? (s.agentName == null ? "" : s.agentName) : s.command, 60));
            if (s.damage != null) {
                out.println("  ! " + s.damage + "; counters from its events (agent-trace show " + s.sessionId + ")");
            }
        }
        if (probeNote != null) {
            out.println(probeNote);
        }
        out.flush();
        return ExitCodes.OK;
    }

}
