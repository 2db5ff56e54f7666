package dev.agenttrace.export.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.export.prometheus.MetricsEndpoint;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.Ids;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.SessionWriter;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What serve's /metrics counts of the sessions other recorders wrote into the stores it knows. */
class EndedRecordSessionsTest {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** A finished session of {@code calls} echo calls; {@code remoteUrl} marks record-http's. */
    private static void session(TraceStore store, String agent, int calls, String remoteUrl) {
        SessionMeta meta = new SessionMeta();
        meta.agentName = agent;
        meta.startedAt = System.currentTimeMillis() / 1000.0;
        meta.attribution.put("proxy_pid", ProcessHandle.current().pid() + 1);
        if (remoteUrl != null) {
            meta.attribution.put("remote_url", remoteUrl);
        }
        SessionWriter w = store.create(meta, StoreOptions.defaults());
        double t = meta.startedAt;
        for (int i = 0; i < calls; i++) {
            String id = Ids.eventId();
            ObjectNode call = F.objectNode().put("tool_name", "echo").put("request_id", i);
            call.putObject("arguments").put("text", "hi");
            w.submit(new TraceEvent(EventTypes.TOOL_CALL, t += 0.001, id, meta.sessionId, null, null, call));
            w.submit(new TraceEvent(EventTypes.TOOL_RESULT, t += 0.001, Ids.eventId(), meta.sessionId, id, 1.0,
                    F.objectNode().put("tool_name", "echo").put("request_id", i)));
        }
        double end = t + 0.001;
        w.submit(sink -> { // as a recorder ends its session
            sink.append(new TraceEvent(EventTypes.SESSION_END, end, Ids.eventId(), meta.sessionId, null, null, F.objectNode()));
            sink.meta().endedAt = end;
            sink.metaChanged();
        }, 256);
        w.close();
    }

    private static String metas(Path dir) {
        try (var ds = java.nio.file.Files.list(dir)) {
            return ds.map(p -> p.getFileName() + " " + read(p.resolve("meta.json"))).toList().toString();
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static String read(Path p) {
        try {
            return java.nio.file.Files.readString(p);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static String scrape(MetricsEndpoint endpoint) throws Exception {
        return new String(endpoint.scrape(), StandardCharsets.UTF_8);
    }

    @Test
    void countsEachStdioRecordSessionThatEndedAfterServeStartedOnce(@TempDir Path dir) throws Exception {
        TraceStore store = TraceStore.at(dir);
        session(store, "before-serve", 5, null);
        Thread.sleep(50);
        long serveStarted = System.currentTimeMillis();
        Thread.sleep(50);
        MetricsEndpoint endpoint = new MetricsEndpoint();
        LiveExport export = LiveExport.create(null, new PrintStream(new ByteArrayOutputStream()), endpoint);
        try (EndedRecordSessions records = new EndedRecordSessions(List.of(store), export, serveStarted)) {
            session(store, "stdio", 2, null);
            session(store, "remote", 3, "https://mcp.example.com/mcp");
            assertEquals(1, records.scan(), () -> "only the stdio record session that ended after serve started (" + serveStarted + "): " + metas(dir));
            assertEquals(1, records.scan(), "a session is counted once");
            String text = scrape(endpoint);
            assertTrue(text.contains("agent_trace_tool_calls_total{gen_ai_tool_name=\"echo\"} 2.0"), text);
            assertTrue(text.contains("mcp_client_session_duration_seconds_count{gen_ai_agent_name=\"stdio\",network_transport=\"pipe\"} 1")
                    || text.contains("mcp_client_session_duration_seconds_count{gen_ai_agent_name=\"stdio\"} 1"), text);
            assertFalse(text.contains("remote"), "record-http's sessions are its own /metrics': " + text);
            assertFalse(text.contains("before-serve"), text);
        } finally {
            export.close();
        }
    }
}
