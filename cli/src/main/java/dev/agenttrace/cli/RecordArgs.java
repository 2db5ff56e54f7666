package dev.agenttrace.cli;

import dev.agenttrace.proxy.stdio.ProxyOptions;
import dev.agenttrace.store.StoreOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The argument line of {@code record}, read without picocli. An MCP client starts {@code record}
 * on every launch and waits for it; picocli's model of a command costs ~100 ms there (its class
 * files are too old for class-data sharing, and it reflects over annotations through proxies).
 *
 * <p>This reads only the plain, valid lines users paste into mcp.json. Anything else (help,
 * {@code --version}, an option it does not know, a value that does not parse, a missing
 * {@code --}) returns null and picocli parses the line instead, with its own messages. The
 * options and defaults are picocli's, checked by {@code RecordArgsTest} against the annotations
 * of {@link RecordCommand}: a new option makes that test fail until it is read here too.
 */
final class RecordArgs {
    /** The options read here, each with the number of values it takes. */
    static final Set<String> FLAGS = Set.of("--redact", "--no-redact", "--no-watch", "--allow-live-loosening");
    static final Set<String> VALUED = Set.of("--trace-dir", "--name", "--max-message-bytes", "--max-payload-bytes",
            "--grace-ms", "--client-framing", "--server-framing", "--policy", "--root", "--policy-mode", "--watch",
            "--agent-pid", "--otlp-endpoint");

    private RecordArgs() {
    }

    /** The command as picocli would fill it, or null when picocli must read this line. */
    static RecordCommand parse(String[] args) {
        RecordCommand c = defaults();
        int i = 0;
        while (i < args.length) {
            String a = args[i];
            if (a.equals("--")) {
                if (i + 1 >= args.length) {
                    return null;
                }
                c.command = new ArrayList<>(Arrays.asList(args).subList(i + 1, args.length));
                return c;
            }
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            if (FLAGS.contains(name)) {
                if (value != null) {
                    return null;
                }
                switch (name) {
                    case "--redact" -> c.redact = true;
                    case "--no-redact" -> c.redact = false;
                    case "--allow-live-loosening" -> c.policyMode.allowLiveLoosening = true;
                    default -> c.watch.off = true;
                }
                i++;
                continue;
            }
            if (!a.startsWith("-")) { // the server command without "--" (picocli stops at a positional too)
                c.command = new ArrayList<>(Arrays.asList(args).subList(i, args.length));
                return c;
            }
            if (!VALUED.contains(name)) {
                return null; // an unknown option, or a short one
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    return null;
                }
                value = args[++i];
            }
            if (!set(c, name, value)) {
                return null;
            }
            i++;
        }
        return null;
    }

    private static boolean set(RecordCommand c, String name, String value) {
        try {
            switch (name) {
                case "--trace-dir" -> c.traceDir.dir = Path.of(value);
                case "--name" -> c.name = value;
                case "--max-message-bytes" -> c.maxMessageBytes = Integer.parseInt(value);
                case "--max-payload-bytes" -> c.maxPayloadBytes = Integer.parseInt(value);
                case "--grace-ms" -> c.graceMillis = Long.parseLong(value);
                case "--client-framing" -> c.clientFraming = value;
                case "--server-framing" -> c.serverFraming = value;
                case "--policy" -> c.policy.file = Path.of(value);
                case "--root" -> c.policy.root = Path.of(value);
                case "--policy-mode" -> c.policyMode.value = value;
                case "--watch" -> {
                    if (c.watch.files == null) {
                        c.watch.files = new ArrayList<>();
                    }
                    c.watch.files.add(Path.of(value));
                }
                case "--agent-pid" -> c.watch.agentPid = Long.parseLong(value);
                case "--otlp-endpoint" -> c.otlp.endpoint = value;
                default -> {
                    return false;
                }
            }
            return true;
        } catch (RuntimeException e) { // a number or path that does not parse: picocli says why
            return false;
        }
    }

    /** A command with picocli's defaults, before any option is read. */
    static RecordCommand defaults() {
        RecordCommand c = new RecordCommand();
        c.traceDir = new TraceDirOption();
        c.policy = new PolicyOptions();
        c.policyMode = new PolicyModeOption();
        c.watch = new WatchOptions();
        c.otlp = new OtlpOption();
        c.maxMessageBytes = ProxyOptions.DEFAULT_MAX_MESSAGE_BYTES;
        c.maxPayloadBytes = StoreOptions.DEFAULT_MAX_PAYLOAD_BYTES;
        c.graceMillis = ProxyOptions.DEFAULT_GRACE_MILLIS;
        c.command = List.of();
        return c;
    }
}
