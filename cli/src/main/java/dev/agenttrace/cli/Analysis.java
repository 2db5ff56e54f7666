package dev.agenttrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceStore;
import dev.agenttrace.store.analysis.SessionAnalyzer;
import dev.agenttrace.store.analysis.SessionSummary;
import java.io.PrintWriter;

/** What explain, stats, cost and diff share: one session read and analysed, JSON printed the same way. */
final class Analysis {
    private Analysis() {
    }

    static SessionSummary summarize(dev.agenttrace.store.StoreSet stores, String session) {
        dev.agenttrace.store.StoreSet.Found f = stores.resolve(session);
        return SessionAnalyzer.analyze(f.store(), f.meta());
    }

    static void printJson(PrintWriter out, JsonNode n) throws Exception {
        out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(n));
        out.flush();
    }
}
