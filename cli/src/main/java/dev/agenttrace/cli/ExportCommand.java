package dev.agenttrace.cli;

import dev.agenttrace.export.file.SessionSpans;
import dev.agenttrace.export.file.SpanFormats;
import dev.agenttrace.export.otlp.OtelConfig;
import dev.agenttrace.export.span.SpanRecord;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceStore;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code agent-trace export}: stored sessions as spans, to a file or pushed to a collector (backfill). */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export stored sessions as spans shaped like the live OpenTelemetry export (same ids: exporting twice does not double them).",
                "Formats: json, ndjson, csv (to stdout or -o FILE), otlp (pushed to --otlp-endpoint or OTEL_EXPORTER_OTLP_ENDPOINT)."})
final class ExportCommand implements Callable<Integer> {
    @Mixin
    TraceDirOption traceDir;

    @Parameters(paramLabel = "SESSION", arity = "0..*", description = "Session ids or unique prefixes ('latest' too).")
    List<String> sessions = new ArrayList<>();

    @Option(names = "--all", description = "Every session in the store.")
    boolean all;

    @Option(names = "--since", paramLabel = "T", description = "Only sessions started at or after T (ISO-8601 like 2026-12-01T00:00:00Z, or epoch seconds).")
    String since;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "json", description = "json, ndjson, csv or otlp (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of stdout.")
    Path output;

    @Option(names = "--otlp-endpoint", paramLabel = "URL", description = "The collector for --format otlp (else OTEL_EXPORTER_OTLP_ENDPOINT).")
    String endpoint;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        String f = format.toLowerCase(Locale.ROOT);
        if (!List.of("json", "ndjson", "csv", "otlp").contains(f)) {
            throw new UserError("--format " + format + " is not one of json, ndjson, csv, otlp");
        }
        if (f.equals("otlp") && output != null) {
            throw new UserError("--format otlp sends to a collector, not to a file: drop -o, or use --format json for a file");
        }
        if (!all && sessions.isEmpty()) {
            throw new UserError("say which sessions: one or more ids (or 'latest'), or --all");
        }
        Double sinceSecs = since == null ? null : parseSince(since);
        TraceStore store = traceDir.store();
        List<SessionMeta> metas = new ArrayList<>();
        if (all) {
            metas.addAll(store.listSessions());
        } else {
            for (String s : sessions) {
                metas.add(store.resolve(s));
            }
        }
        if (sinceSecs != null) {
            metas.removeIf(m -> m.startedAt == null || m.startedAt < sinceSecs);
        }
        metas.sort((a, b) -> Double.compare(a.startedAt == null ? 0 : a.startedAt, b.startedAt == null ? 0 : b.startedAt));
        List<String> warnings = new ArrayList<>();
        List<SpanRecord> spans = new ArrayList<>();
        boolean capture = "true".equalsIgnoreCase(System.getenv().getOrDefault(OtelConfig.CAPTURE_CONTENT, ""));
        for (SessionMeta m : metas) {
            spans.addAll(SessionSpans.of(store, m, capture, warnings));
        }
        warnings.forEach(w -> spec.commandLine().getErr().println("agent-trace: " + w));
        if (f.equals("otlp")) {
            String ep = endpoint;
            if (ep == null && !OtelConfig.wanted(System.getenv(), null)) {
                throw new UserError("--format otlp needs a collector: --otlp-endpoint URL or OTEL_EXPORTER_OTLP_ENDPOINT");
            }
            OtelConfig config;
            try {
                config = OtelConfig.from(System.getenv(), ep);
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage());
            }
            long sent = dev.agenttrace.export.otlp.OtlpBackfill.push(config, spans, System.err);
            spec.commandLine().getErr().println("agent-trace: sent " + sent + " of " + spans.size() + " span(s) from "
                    + metas.size() + " session(s) to " + config.tracesEndpoint());
            return sent == spans.size() ? ExitCodes.OK : 1;
        }
        Writer out = output == null ? spec.commandLine().getOut()
                : new OutputStreamWriter(Files.newOutputStream(output), StandardCharsets.UTF_8);
        try {
            switch (f) {
                case "ndjson" -> SpanFormats.writeNdjson(spans, out);
                case "csv" -> SpanFormats.writeCsv(spans, out);
                default -> SpanFormats.writeJson(spans, out);
            }
        } finally {
            out.flush();
            if (output != null) {
                out.close();
            }
        }
        return ExitCodes.OK;
    }

    private static double parseSince(String t) {
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException ignored) {
            // ISO-8601 below
        }
        try {
            return Instant.parse(t).toEpochMilli() / 1000.0;
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(t + "T00:00:00Z").toEpochMilli() / 1000.0;
            } catch (DateTimeParseException e2) {
                throw new UserError("--since " + t + " is not a time: use ISO-8601 (2026-12-01T00:00:00Z or 2026-12-01) or epoch seconds");
            }
        }
    }
}
