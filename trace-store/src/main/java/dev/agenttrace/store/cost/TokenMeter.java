package dev.agenttrace.store.cost;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.TraceEvent;

/**
 * Tokens and dollars of one session, event by event: the one place cost is counted, shared by the
 * cost watcher (inline, live, lint) and the analysis commands (explain, diff, cost, the MCP tools).
 *
 * <p>Real token counts win wherever an event carries them ({@code usage.input_tokens/output_tokens},
 * {@code prompt_tokens/completion_tokens}, or the same keys at the top of {@code data}); otherwise
 * each event is estimated as agent-strace does, {@code max(1, len(json.dumps(data)) / 4)}, and split
 * as the model sees it: what it reads is input ({@code user_prompt, llm_request}, and
 * {@code tool_result}: a tool's answer goes back into the context), what it writes is output
 * ({@code assistant_response, llm_response}, and {@code tool_call}: the model wrote the arguments).
 * agent-strace counted calls as input and results as output, which priced a 50 kB file read at the
 * output rate (5x the input rate for most models). The session is priced at its own model (the latest {@code data.model}
 * of a session_start or LLM event), else at the table's default: agent-strace priced everything as
 * sonnet and its MCP server priced nothing at all.
 */
public final class TokenMeter {
    private final PriceTable prices;
    private long estimatedInput;
    private long estimatedOutput;
    private long realInput;
    private long realOutput;
    private boolean realTokens;
    private long lastPromptTokens;
    private String model;

    public TokenMeter(PriceTable prices) {
        this.prices = prices;
    }

    /** Everything a meter has counted, so an index can resume counting where it stopped. */
    public record Snapshot(long estimatedInput, long estimatedOutput, long realInput, long realOutput, boolean realTokens,
                           long lastPromptTokens, String model) {
    }

    /** A meter that continues from {@code s}. */
    public TokenMeter(PriceTable prices, Snapshot s) {
        this.prices = prices;
        estimatedInput = s.estimatedInput();
        estimatedOutput = s.estimatedOutput();
        realInput = s.realInput();
        realOutput = s.realOutput();
        realTokens = s.realTokens();
        lastPromptTokens = s.lastPromptTokens();
        model = s.model();
    }

    public Snapshot snapshot() {
        return new Snapshot(estimatedInput, estimatedOutput, realInput, realOutput, realTokens, lastPromptTokens, model);
    }

    /** Counts one event; types that carry no tokens are ignored. */
    public void observe(TraceEvent e) {
        observe(e.eventType(), e.data());
    }

    public void observe(String type, JsonNode d) {
        if (d == null || type == null) {
            return;
        }
        switch (type) {
            case EventTypes.TOOL_CALL, EventTypes.TOOL_RESULT -> tokens(type, d);
            case EventTypes.LLM_REQUEST, EventTypes.LLM_RESPONSE, EventTypes.ASSISTANT_RESPONSE, EventTypes.USER_PROMPT -> {
                tokens(type, d);
                noteModel(d);
            }
            case EventTypes.SESSION_START -> noteModel(d);
            default -> {
                // no tokens in file events, errors, decisions, session_end
            }
        }
    }

    private void noteModel(JsonNode d) {
        JsonNode m = d.get("model");
        if (m != null && m.isTextual() && !m.textValue().isBlank()) {
            model = m.textValue();
        }
    }

    private void tokens(String type, JsonNode d) {
        boolean input = EventTypes.TOOL_RESULT.equals(type) || EventTypes.LLM_REQUEST.equals(type)
                || EventTypes.USER_PROMPT.equals(type);
        JsonNode usage = d.get("usage");
        JsonNode src = usage != null && usage.isObject() ? usage : d;
        long in = firstLong(src, "input_tokens", "prompt_tokens");
        long out = firstLong(src, "output_tokens", "completion_tokens");
        if (in > 0 || out > 0) {
            realTokens = true;
            realInput += in;
            realOutput += out;
        }
        long estimate = Math.max(1, JsonChars.length(d) / prices.charsPerToken());
        if (input) {
            estimatedInput += estimate;
        } else {
            estimatedOutput += estimate;
        }
        if (EventTypes.LLM_REQUEST.equals(type)) {
            lastPromptTokens = in > 0 ? in : estimate;
        }
    }

    private static long firstLong(JsonNode n, String a, String b) {
        JsonNode v = n.get(a);
        if (v == null || !v.isNumber()) {
            v = n.get(b);
        }
        return v != null && v.isNumber() ? Math.max(0, v.longValue()) : 0;
    }

    /** The model named by the session's own events, or null. */
    public String model() {
        return model;
    }

    /** True when the counts come from the trace, false when they are payload-size estimates. */
    public boolean realTokens() {
        return realTokens;
    }

    public long inputTokens() {
        return realTokens ? realInput : estimatedInput;
    }

    public long outputTokens() {
        return realTokens ? realOutput : estimatedOutput;
    }

    /** Real token counts where the trace has them, else the payload-size estimate. */
    public long totalTokens() {
        return inputTokens() + outputTokens();
    }

    /** Input tokens of the latest llm_request: what the context holds now. */
    public long lastPromptTokens() {
        return lastPromptTokens;
    }

    /** The session's model in the price table, else the table's default. */
    public PriceTable.Model priceModel() {
        return prices.priceOf(model);
    }

    public double costUsd() {
        return costUsd(priceModel());
    }

    public double costUsd(PriceTable.Model m) {
        return m.dollars(inputTokens(), outputTokens());
    }

    public PriceTable prices() {
        return prices;
    }
}
