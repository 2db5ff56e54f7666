package dev.agenttrace.cli;

import dev.agenttrace.hooks.transcript.ClaudeTranscriptImporter;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.TraceStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agent-trace import}: Claude Code transcripts into sessions of the store, idempotently. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Import Claude Code transcripts (~/.claude/projects/<dir>/<session>.jsonl) as sessions of the store: prompts, "
                + "tool calls with their results, errors, token usage and model, subagents as child sessions. Importing again "
                + "changes nothing, or updates a transcript that grew.",
                "Exit 0 if every transcript was imported, 1 if one could not be read at all."})
final class ImportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PATH", arity = "0..*", description = "Transcript files, or directories of them.")
    List<Path> paths;

    @Option(names = "--claude-code", description = "Import Claude Code's own transcripts ($CLAUDE_CONFIG_DIR, else ~/.claude): "
            + "every project's, or --project's.")
    boolean claudeCode;

    @Option(names = "--project", paramLabel = "DIR", description = "With --claude-code: only the sessions run in DIR.")
    Path project;

    @Option(names = "--redact", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Remove secrets before anything reaches disk (default: on; --no-redact keeps them).")
    boolean redact;

    @Mixin
    TraceDirOption traceDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (project != null && !claudeCode) {
            throw new UserError("--project goes with --claude-code; for a transcript file, give its path");
        }
        List<Path> transcripts = new ArrayList<>();
        if (claudeCode) {
            transcripts.addAll(claudeCodeTranscripts());
        }
        for (Path p : paths == null ? List.<Path>of() : paths) {
            if (Files.isDirectory(p)) {
                transcripts.addAll(ClaudeTranscriptImporter.transcriptsIn(p));
            } else if (Files.isRegularFile(p)) {
                transcripts.add(p);
            } else {
                throw new UserError(p + ": no such file or directory");
            }
        }
        if (!claudeCode && (paths == null || paths.isEmpty())) {
            throw new UserError("nothing to import: give transcript files or directories, or --claude-code [--project DIR]");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (transcripts.isEmpty()) {
            out.println("no transcripts found" + (claudeCode ? " in " + claudeProjects() : ""));
            out.flush();
            return ExitCodes.OK;
        }
        Path dir = traceDir.forWriting(System.err);
        ClaudeTranscriptImporter importer = new ClaudeTranscriptImporter(TraceStore.at(dir), StoreOptions.defaults().withRedact(redact));
        int failed = 0;
        int[] counts = new int[3];
        for (Path t : transcripts) {
            ClaudeTranscriptImporter.Result r;
            try {
                r = importer.importFile(t);
            } catch (IOException | RuntimeException e) {
                err.println("agent-trace: " + t + ": not imported (" + e.getMessage() + ")");
                failed++;
                continue;
            }
            for (String w : r.warnings()) {
                err.println("agent-trace: " + w);
            }
            switch (r.status()) {
                case "imported" -> counts[0]++;
                case "updated" -> counts[1]++;
                default -> counts[2]++;
            }
            out.printf("%-9s %s -> session %s (%d tool call%s, %d error%s%s)%n", r.status(), t, r.sessionId(), r.toolCalls(),
                    r.toolCalls() == 1 ? "" : "s", r.errors(), r.errors() == 1 ? "" : "s",
                    r.children().isEmpty() ? "" : ", subagents " + String.join(" ", r.children()));
        }
        out.printf("%d imported, %d updated, %d unchanged%s into %s%n", counts[0], counts[1], counts[2],
                failed == 0 ? "" : ", " + failed + " failed", dir);
        out.flush();
        err.flush();
        return failed == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    private static Path claudeHome() {
        String env = System.getenv("CLAUDE_CONFIG_DIR");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".claude");
    }

    private static Path claudeProjects() {
        return claudeHome().resolve("projects");
    }

    private List<Path> claudeCodeTranscripts() throws IOException {
        if (project != null) {
            Path p = project.toAbsolutePath().normalize();
            if (Files.isDirectory(p)) {
                p = p.toRealPath();
            }
            Path d = ClaudeTranscriptImporter.projectDir(claudeHome(), p);
            return Files.isDirectory(d) ? ClaudeTranscriptImporter.transcriptsIn(d) : List.of();
        }
        List<Path> out = new ArrayList<>();
        Path projects = claudeProjects();
        if (!Files.isDirectory(projects)) {
            return out;
        }
        List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(projects)) {
            for (Path d : s) {
                if (Files.isDirectory(d)) {
                    dirs.add(d);
                }
            }
        }
        dirs.sort(null);
        for (Path d : dirs) {
            out.addAll(ClaudeTranscriptImporter.transcriptsIn(d));
        }
        return out;
    }
}
