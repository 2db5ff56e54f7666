package dev.agenttrace.cli;

import dev.agenttrace.rules.config.AgentTraceConfig;
import dev.agenttrace.store.Retention;
import dev.agenttrace.store.StoreLocation;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code agent-trace retention status|clean}: how much the store holds, and removing what is past the policy. */
@Command(name = "retention", mixinStandardHelpOptions = true,
        description = {"Show (status) or apply (clean) how long sessions stay in the store.",
                "The bounds come from --keep-days and --max-size, else from retention in the config file.",
                "A session that may still be running is never removed."})
final class RetentionCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "status|clean", description = "status: what the store holds and what clean would remove; clean: remove it.")
    String action;

    @Option(names = "--keep-days", paramLabel = "N", description = "Remove sessions last written more than N days ago.")
    Integer keepDays;

    @Option(names = "--max-size", paramLabel = "SIZE", description = "Then remove the oldest sessions until the store holds at most SIZE (500M, 2G, ...).")
    String maxSize;

    @Option(names = "--dry-run", description = "clean: say what would be removed, remove nothing.")
    boolean dryRun;

    @Mixin
    TraceDirOption traceDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        boolean clean = switch (action) {
            case "status" -> false;
            case "clean" -> true;
            default -> throw new UserError("retention " + action + ": use 'retention status' or 'retention clean'");
        };
        Retention.Policy policy = policy(keepDays, maxSize, Config.get());
        StoreLocation at = traceDir.location();
        PrintWriter out = spec.commandLine().getOut();
        Retention.Plan plan = Retention.plan(at.dir(), policy, Instant.now());
        out.printf(Locale.ROOT, "store %s: %d sessions, %s, %d may be running%n", at.describe(), plan.sessions().size(),
                size(plan.totalBytes()), plan.live());
        if (policy.none()) {
            out.println("no retention policy: give --keep-days or --max-size, or set retention in the config file");
            return clean ? ExitCodes.USAGE : ExitCodes.OK;
        }
        out.println("policy: " + describe(policy));
        List<Retention.Session> gone = plan.remove();
        if (clean && !dryRun) {
            gone = Retention.clean(at.dir(), policy, Instant.now());
        }
        String verb = clean && !dryRun ? "removed" : "would remove";
        for (Retention.Session s : gone) {
            out.printf(Locale.ROOT, "%s %s  %s  last written %s%n", verb, s.id(), size(s.bytes()), s.lastWrite());
        }
        out.printf(Locale.ROOT, "%s %d sessions (%s)%n", verb, gone.size(), size(gone.stream().mapToLong(Retention.Session::bytes).sum()));
        return ExitCodes.OK;
    }

    /**
     * The config file's retention, applied by a proxy at start on a background thread (it never
     * delays forwarding); one stderr line when it removed something.
     */
    static void applyInBackground(java.nio.file.Path store, java.io.PrintStream err) {
        AgentTraceConfig c = Config.get();
        Retention.Policy policy = new Retention.Policy(c.keepDays(), c.maxSizeBytes());
        if (policy.none()) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(2000); // after start-up: the client is waiting for the first answer
                List<Retention.Session> gone = Retention.clean(store, policy, Instant.now());
                if (!gone.isEmpty()) {
                    err.println("agent-trace: retention (" + describe(policy) + ") removed " + gone.size() + " old sessions from " + store);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException | RuntimeException e) {
                err.println("agent-trace: retention could not clean " + store + " (" + e.getMessage() + ")");
            }
        }, "agent-trace-retention");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /** The options' bounds, else the config file's; a size that does not parse is a user error. */
    static Retention.Policy policy(Integer keepDays, String maxSize, AgentTraceConfig config) {
        if (keepDays != null && keepDays < 1) {
            throw new UserError("--keep-days " + keepDays + ": use 1 or more");
        }
        Long bytes = null;
        if (maxSize != null) {
            bytes = AgentTraceConfig.parseSize(maxSize);
            if (bytes == null || bytes < 1) {
                throw new UserError("--max-size " + maxSize + " is not a size: write it as 500M, 2G or a number of bytes");
            }
        }
        if (keepDays == null && bytes == null) {
            return new Retention.Policy(config.keepDays(), config.maxSizeBytes());
        }
        return new Retention.Policy(keepDays, bytes);
    }

    static String describe(Retention.Policy p) {
        String days = p.keepDays() == null ? null : "keep " + p.keepDays() + " days";
        String size = p.maxBytes() == null ? null : "at most " + size(p.maxBytes());
        return days == null ? size : size == null ? days : days + ", " + size;
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
