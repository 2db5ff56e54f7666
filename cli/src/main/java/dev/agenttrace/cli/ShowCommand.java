package dev.agenttrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.report.replay.Follow;
import dev.agenttrace.report.replay.Pacer;
import dev.agenttrace.store.EventRead;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.StoreSet;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceStore;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agent-trace show <id|prefix|latest>}: one session as a readable timeline. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = {"Show one session as a timeline: calls, results, errors and durations.",
                "With several stores (see --trace-dir) the session is looked for in all of them."})
final class ShowCommand implements Callable<Integer> {
    @Mixin
    TraceDirsOption traceDir;

    @Parameters(paramLabel = "SESSION", defaultValue = "latest",
            description = "A session id, a unique prefix of one, 'latest' (the most recently started; default), or STORE/ID "
                    + "(the session's directory, when the same id is in two stores).")
    String session;

    @Option(names = "--json", description = "Print JSON: {meta, events, warnings}.")
    boolean json;

    @Option(names = "--messages", description = "Also show every JSON-RPC message of the wire log (messages.ndjson).")
    boolean messages;

    @Option(names = {"-f", "--follow"}, description = "Keep printing events as the recorder appends them, until the session ends (Ctrl-C stops).")
    boolean follow;

    @Option(names = "--max-idle", paramLabel = "SECONDS", description = "With --follow: stop after this long without a new event (default: never).")
    double maxIdle;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        StoreSet stores = traceDir.stores();
        StoreSet.Found found = stores.resolve(session);
        TraceStore store = found.store();
        SessionMeta meta = found.meta();
        if (stores.several()) {
            err.println("agent-trace: session " + meta.sessionId + " of " + stores.location(store).describe()
                    + " (read " + stores.stores().size() + " stores)");
        }
        if (follow) {
            return follow(store, meta, out, err);
        }
        EventRead read = messages ? store.readEventsAndMessages(meta.sessionId) : store.readEvents(meta.sessionId);
        if (json) {
            ObjectMapper m = new ObjectMapper();
            ObjectNode root = m.createObjectNode();
            root.set("meta", Format.metaJson(meta));
            ArrayNode events = root.putArray("events");
            for (TraceEvent e : read.events()) {
                events.add(eventJson(m, e));
            }
            ArrayNode warnings = root.putArray("warnings");
            read.warnings().forEach(warnings::add);
            out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(root));
            out.flush();
            return ExitCodes.OK;
        }
        for (String w : read.warnings()) {
            err.println("agent-trace: " + w);
        }
        header(out, meta);
        double t0 = meta.startedAt != null ? meta.startedAt
                : read.events().isEmpty() ? 0 : read.events().get(0).timestamp();
        for (TraceEvent e : read.events()) {
            out.printf("  %+9.3fs  %-14s %s%n", e.timestamp() - t0, e.eventType(), describe(e));
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** {@code --follow}: everything so far, then each event as it lands, until session_end. */
    private int follow(TraceStore store, SessionMeta meta, PrintWriter out, PrintWriter err) throws InterruptedException {
        if (json || messages) {
            throw new UserError("--follow prints the timeline as it grows: drop --json and --messages");
        }
        if (maxIdle < 0) {
            throw new UserError("--max-idle " + maxIdle + ": give seconds, 0 or more");
        }
        header(out, meta);
        out.flush();
        double[] t0 = {meta.startedAt != null ? meta.startedAt : Double.NaN};
        Follow.End end = Follow.follow(store, meta.sessionId, e -> {
            if (Double.isNaN(t0[0])) {
                t0[0] = e.timestamp();
            }
            out.printf("  %+9.3fs  %-14s %s%n", e.timestamp() - t0[0], e.eventType(), describe(e));
            out.flush();
        }, w -> err.println("agent-trace: " + w), 100, maxIdle, () -> false, Pacer.SYSTEM);
        if (end == Follow.End.IDLE) {
            err.println("agent-trace: no new event for " + maxIdle + " s; stopped following " + meta.sessionId);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static void header(PrintWriter out, SessionMeta m) {
        out.println("session  " + m.sessionId + (m.agentName == null ? "" : "  (" + m.agentName + ")"));
        if (m.command != null) {
            out.println("command  " + m.command);
        }
        String duration = m.endedAt == null ? "not ended (still running, or the recorder was killed)"
                : Format.duration(m.totalDurationMs > 0 ? m.totalDurationMs
                        : (m.endedAt - (m.startedAt == null ? m.endedAt : m.startedAt)) * 1000);
        out.println("started  " + Format.time(m.startedAt) + " UTC   duration " + duration
                + "   tool calls " + m.toolCalls + "   errors " + m.errors
                + (m.countedFromEvents ? "   (counted from the events: the meta is behind them)" : ""));
        if (m.damage != null) {
            out.println("damaged  " + m.damage + "; what follows is what its events hold");
        }
        JsonNode a = m.attribution;
        if (a != null) {
            StringBuilder sb = new StringBuilder();
            if (a.has("mcp_protocol_version")) {
                sb.append("protocol ").append(a.get("mcp_protocol_version").asText()).append("   ");
            }
            if (a.has("mcp_client")) {
                sb.append("client ").append(nameVersion(a.get("mcp_client"))).append("   ");
            }
            if (a.has("mcp_server")) {
                sb.append("server ").append(nameVersion(a.get("mcp_server"))).append("   ");
            }
            if (a.has("agent_pid") || a.has("proxy_pid") || a.has("child_pid")) {
                sb.append("pids agent ").append(a.path("agent_pid").asText("?"))
                        .append(" proxy ").append(a.path("proxy_pid").asText("?"))
                        .append(" server ").append(a.path("child_pid").asText("?"));
            }
            if (sb.length() > 0) {
                out.println(sb.toString().trim());
            }
        }
        out.println();
    }

    private static String nameVersion(JsonNode info) {
        return info.path("name").asText("?") + (info.has("version") ? " " + info.get("version").asText() : "");
    }

    static String describe(TraceEvent e) {
        JsonNode d = e.data();
        String dur = e.durationMs() == null ? "" : "  (" + Format.duration(e.durationMs()) + ")";
        String id = d.has("request_id") ? "  [id " + d.get("request_id") + "]" : "";
        switch (e.eventType()) {
            case "session_start":
                if (d.has("command")) {
                    StringBuilder sb = new StringBuilder();
                    d.get("command").forEach(c -> sb.append(sb.length() == 0 ? "" : " ").append(c.asText()));
                    return sb.toString();
                }
                return d.path("mode").asText("");
            case "tool_call":
                return d.path("tool_name").asText("?") + " " + Format.clip(Format.compact(d.get("arguments")), 140) + id;
            case "tool_result": {
                String text = d.has("content_preview") ? d.get("content_preview").asText()
                        : d.has("result") && d.get("result").isTextual() ? d.get("result").asText() : "";
                String err = d.path("is_error").asBoolean(false) ? "ERROR " : "";
                String tool = d.path("tool_name").asText("");
                return (err + tool).trim() + (err.isEmpty() && tool.isEmpty() ? "" : " ") + dur.trim() + "  " + Format.clip(text, 140) + id;
            }
            case "error": {
                String code = d.has("code") ? d.get("code").asText() + " " : "";
                String msg = d.has("message") ? d.get("message").asText() : d.path("error").asText("");
                return d.path("tool_name").asText("") + (d.has("tool_name") ? " " : "") + code + Format.clip(msg, 140) + dur + id;
            }
            case "file_read":
            case "file_write":
                return d.path("uri").asText(d.path("file_path").asText("")) + id;
            case "llm_request":
                return d.path("model").asText("(no model hint)") + ", " + d.path("message_count").asText("?") + " messages: "
                        + Format.clip(d.path("last_message").path("content_preview").asText(""), 100) + id;
            case "llm_response":
                return d.path("model").asText("") + dur + "  " + Format.clip(d.path("content_preview").asText(""), 120) + id;
            case "decision":
                if ("policy_violation".equals(d.path("kind").asText())) {
                    return ("block".equals(d.path("choice").asText()) ? "BLOCKED " : "would block (shadow) ")
                            + d.path("tool_name").asText("") + ": " + Format.clip(d.path("reason").asText(""), 140) + id;
                }
                return d.path("choice").asText("") + (d.has("reason") ? ": " + Format.clip(d.path("reason").asText(""), 140) : "");
            case "user_prompt":
                return Format.clip(d.path("prompt").asText(""), 140);
            case "assistant_response":
                return Format.clip(d.path("text").asText(""), 140);
            case "session_end":
                return (d.has("exit_code") ? "exit " + d.get("exit_code").asText() + " " : "")
                        + "after " + Format.duration(d.path("duration_ms").asDouble())
                        + (d.path("trace_incomplete").asBoolean(false) ? "  (trace incomplete)" : "");
            case "mcp_message":
                return d.path("direction").asText("") + " " + d.path("kind").asText("") + " "
                        + d.path("method").asText("") + (d.has("request_id") ? " [id " + d.get("request_id") + "]" : "")
                        + " " + d.path("bytes").asText("") + " B " + d.path("framing").asText("");
            default:
                return Format.clip(Format.compact(d), 160);
        }
    }

    private static ObjectNode eventJson(ObjectMapper m, TraceEvent e) {
        ObjectNode o = m.createObjectNode();
        o.put("event_type", e.eventType());
        o.put("timestamp", e.timestamp());
        o.put("event_id", e.eventId());
        o.put("session_id", e.sessionId());
        if (e.parentId() != null) {
            o.put("parent_id", e.parentId());
        }
        if (e.durationMs() != null) {
            o.put("duration_ms", e.durationMs());
        }
        o.set("data", e.data());
        return o;
    }
}
