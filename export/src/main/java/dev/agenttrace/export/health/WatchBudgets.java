package dev.agenttrace.export.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The budgets a watch configuration sets (cost, tokens, duration), for "budget utilisation":
 * {@code watchers.cost.max_dollars}, {@code watchers.tokens.max}, {@code watchers.duration.max_minutes},
 * or the agent-strace rule conditions {@code cost_usd > X} and {@code duration_minutes > X}. The
 * files were validated by the watch parser first (the CLI does that); this reads only numbers.
 */
public record WatchBudgets(Double maxDollars, Long maxTokens, Double maxMinutes) {
    private static final Pattern COST = Pattern.compile("cost_usd\\s*>=?\\s*([0-9.]+)");
    private static final Pattern MINUTES = Pattern.compile("duration_minutes\\s*>=?\\s*([0-9.]+)");

    public static WatchBudgets none() {
        return new WatchBudgets(null, null, null);
    }

    public boolean any() {
        return maxDollars != null || maxTokens != null || maxMinutes != null;
    }

    public static WatchBudgets read(List<Path> files) throws IOException {
        Double dollars = null;
        Long tokens = null;
        Double minutes = null;
        ObjectMapper m = new ObjectMapper();
        for (Path f : files) {
            JsonNode root = m.readTree(Files.readString(f));
            JsonNode w = root.path("watchers");
            if (w.path("cost").path("max_dollars").isNumber()) {
                dollars = w.path("cost").path("max_dollars").asDouble();
            }
            if (w.path("tokens").path("max").isNumber()) {
                tokens = w.path("tokens").path("max").asLong();
            }
            if (w.path("duration").path("max_minutes").isNumber()) {
                minutes = w.path("duration").path("max_minutes").asDouble();
            }
            for (JsonNode rule : root.path("rules")) {
                String c = rule.path("condition").asText("");
                Matcher cm = COST.matcher(c);
                if (cm.find()) {
                    dollars = Double.parseDouble(cm.group(1));
                }
                Matcher mm = MINUTES.matcher(c);
                if (mm.find()) {
                    minutes = Double.parseDouble(mm.group(1));
                }
            }
        }
        return new WatchBudgets(dollars, tokens, minutes);
    }
}
