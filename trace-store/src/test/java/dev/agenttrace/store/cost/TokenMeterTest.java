package dev.agenttrace.store.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.TraceJson;
import org.junit.jupiter.api.Test;

class TokenMeterTest {
    private static ObjectNode data() {
        return TraceJson.mapper().createObjectNode();
    }

    @Test
    void aToolResultIsWhatTheModelReadsAndACallIsWhatItWrote() {
        TokenMeter m = new TokenMeter(PriceTable.standard());
        ObjectNode call = data().put("tool_name", "read_file");
        call.putObject("arguments").put("path", "a");
        m.observe(EventTypes.TOOL_CALL, call);
        m.observe(EventTypes.TOOL_RESULT, data().put("content_preview", "x".repeat(40_000)));
        assertTrue(m.inputTokens() >= 10_000 && m.inputTokens() < 10_100, "the 40 kB result is input: " + m.inputTokens());
        assertTrue(m.outputTokens() > 0 && m.outputTokens() < 20, "the arguments are output: " + m.outputTokens());
        PriceTable.Model sonnet = PriceTable.standard().find("sonnet");
        assertEquals(sonnet.dollars(m.inputTokens(), m.outputTokens()), m.costUsd(), 1e-12);
        assertTrue(m.costUsd() < 0.04, "priced at the input rate ($3/M), not the output rate ($15/M): " + m.costUsd());
    }

    @Test
    void realCountsWinOverEstimates() {
        TokenMeter m = new TokenMeter(PriceTable.standard());
        m.observe(EventTypes.TOOL_RESULT, data().put("content_preview", "x".repeat(40_000)));
        ObjectNode r = data().put("model", "claude-sonnet-4-5");
        r.putObject("usage").put("input_tokens", 1200).put("output_tokens", 300);
        m.observe(EventTypes.LLM_RESPONSE, r);
        assertTrue(m.realTokens());
        assertEquals(1200, m.inputTokens());
        assertEquals(300, m.outputTokens());
    }
}
