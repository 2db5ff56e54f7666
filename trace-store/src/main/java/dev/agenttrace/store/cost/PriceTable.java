package dev.agenttrace.store.cost;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.store.TraceJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prices per model for the cost watcher and the cost analysis, read from the documented resource
 * {@code dev/agenttrace/store/cost/prices.json} (its {@code description} says how cost is
 * computed). agent-strace priced every session as sonnet; here the session's own model decides.
 */
public final class PriceTable {
    private static final String RESOURCE = "/dev/agenttrace/store/cost/prices.json";
    private static volatile PriceTable standard;

    /**
     * One model's prices.
     *
     * @param inputPerMillion  USD per million input tokens
     * @param outputPerMillion USD per million output tokens
     * @param contextTokens    the context window
     */
    public record Model(String name, List<String> aliases, List<String> prefixes, double inputPerMillion,
                        double outputPerMillion, long contextTokens) {

        public double dollars(long inputTokens, long outputTokens) {
            return (inputTokens * inputPerMillion + outputTokens * outputPerMillion) / 1_000_000.0;
        }
    }

    private final List<Model> models;
    private final Model fallback;
    private final int charsPerToken;
    private final String asOf;

    private PriceTable(List<Model> models, Model fallback, int charsPerToken, String asOf) {
        this.models = List.copyOf(models);
        this.fallback = fallback;
        this.charsPerToken = charsPerToken;
        this.asOf = asOf;
    }

    /** The table shipped with agent-trace. */
    public static PriceTable standard() {
        PriceTable t = standard;
        if (t == null) {
            synchronized (PriceTable.class) {
                t = standard;
                if (t == null) {
                    t = load();
                    standard = t;
                }
            }
        }
        return t;
    }

    private static PriceTable load() {
        try (InputStream in = PriceTable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the trace-store jar");
            }
            JsonNode root = TraceJson.mapper().readTree(in);
            List<Model> models = new ArrayList<>();
            for (JsonNode m : root.path("models")) {
                models.add(new Model(m.path("name").asText(), strings(m.path("aliases")), strings(m.path("prefixes")),
                        m.path("input").asDouble(), m.path("output").asDouble(), m.path("context_tokens").asLong()));
            }
            String dflt = root.path("default_model").asText("sonnet");
            Model fallback = models.stream().filter(m -> m.name().equals(dflt)).findFirst()
                    .orElseThrow(() -> new IllegalStateException(RESOURCE + ": default_model " + dflt + " is not in the table"));
            return new PriceTable(models, fallback, Math.max(1, root.path("chars_per_token").asInt(4)), root.path("as_of").asText("?"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : array) {
            out.add(s.asText().toLowerCase(Locale.ROOT));
        }
        return out;
    }

    /** The model used when none is known. */
    public Model fallback() {
        return fallback;
    }

    public int charsPerToken() {
        return charsPerToken;
    }

    /** When the prices were taken. */
    public String asOf() {
        return asOf;
    }

    public List<Model> models() {
        return models;
    }

    /**
     * The entry for a model id as events or configs spell it ({@code claude-sonnet-4-5-20250929},
     * {@code anthropic/claude-3-5-haiku}, {@code opus}); null if nothing matches.
     */
    public Model find(String modelId) {
        if (modelId == null || modelId.isBlank()) {
            return null;
        }
        String id = modelId.trim().toLowerCase(Locale.ROOT);
        int slash = id.lastIndexOf('/');
        if (slash >= 0) {
            id = id.substring(slash + 1);
        }
        int provider = id.indexOf("anthropic.");
        if (provider >= 0) {
            id = id.substring(provider + "anthropic.".length());
        }
        for (Model m : models) {
            if (m.name().equals(id) || m.aliases().contains(id)) {
                return m;
            }
        }
        Model best = null;
        int bestLength = 0;
        for (Model m : models) {
            for (String prefix : m.prefixes()) {
                if (id.startsWith(prefix) && prefix.length() > bestLength) {
                    best = m;
                    bestLength = prefix.length();
                }
            }
        }
        return best;
    }

    /** {@link #find}, else the fallback. */
    public Model priceOf(String modelId) {
        Model m = find(modelId);
        return m != null ? m : fallback;
    }

    /** Names a config may give as {@code cost.model}, for error messages. */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        for (Model m : models) {
            out.add(m.name());
        }
        return out;
    }
}
