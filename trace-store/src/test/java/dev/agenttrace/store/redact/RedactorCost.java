package dev.agenttrace.store.redact;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.store.TraceJson;

/**
 * What redaction costs the trace writer per event (run by hand, not a test: timings belong to
 * the machine). {@code java -cp ... dev.agenttrace.store.redact.RedactorCost}
 */
public final class RedactorCost {
    private RedactorCost() {
    }

    public static void main(String[] args) throws Exception {
        String code = "def handler(event):\\n    return {\\\"status\\\": 200, \\\"body\\\": json.dumps(event)}\\n".repeat(20);
        JsonNode call = TraceJson.mapper().readTree("{\"tool_name\":\"read_file\",\"arguments\":{\"path\":\"/home/dev/proj/src/app.py\"},"
                + "\"request_id\":17}");
        JsonNode result = TraceJson.mapper().readTree("{\"request_id\":17,\"content_types\":[\"text\"],\"is_error\":false,"
                + "\"content_preview\":\"" + code + "\"}");
        JsonNode env = TraceJson.mapper().readTree("{\"request_id\":18,\"content_preview\":\"DEBUG=1\\nSECRET_KEY=abc123\\n"
                + "DB_PASS=hunter22\\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG\\n" + code + "\"}");
        for (JsonNode n : new JsonNode[] {call, result, env}) {
            int chars = TraceJson.compact(n).length();
            long best = Long.MAX_VALUE;
            for (int round = 0; round < 5; round++) {
                int iters = 20_000;
                long t0 = System.nanoTime();
                for (int i = 0; i < iters; i++) {
                    Redactor.redact(n);
                }
                best = Math.min(best, (System.nanoTime() - t0) / iters);
            }
            System.out.printf("%6d chars: %,d ns per event%n", chars, best);
        }
    }
}
