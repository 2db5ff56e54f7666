package dev.agenttrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The fast reading of record's argument line must be picocli's reading, option for option. */
class RecordArgsTest {

    private static RecordCommand picocli(String... args) {
        RecordCommand c = new RecordCommand();
        CommandLine cl = new CommandLine(c);
        cl.setStopAtPositional(true);
        cl.parseArgs(args);
        return c;
    }

    /** Every field a user can set, as text: what both readings must agree on. */
    private static List<String> state(RecordCommand c) {
        return List.of(String.valueOf(c.traceDir.dir), String.valueOf(c.name), String.valueOf(c.redact),
                String.valueOf(c.maxMessageBytes), String.valueOf(c.maxPayloadBytes), String.valueOf(c.graceMillis),
                String.valueOf(c.clientFraming), String.valueOf(c.serverFraming), String.valueOf(c.policy.file),
                String.valueOf(c.policy.root), String.valueOf(c.policyMode.value), String.valueOf(c.policyMode.allowLiveLoosening), String.valueOf(c.watch.files),
                String.valueOf(c.watch.off), String.valueOf(c.watch.agentPid), String.valueOf(c.otlp.endpoint), String.valueOf(c.command));
    }

    @Test
    void readsTheLinesUsersPasteExactlyAsPicocliDoes() {
        List<String[]> lines = List.of(
                new String[] {"--", "npx", "-y", "@modelcontextprotocol/server-filesystem", "."},
                new String[] {"--name", "fs", "--trace-dir", "/tmp/t", "--", "node", "server.js", "--port", "1"},
                new String[] {"--name=fs", "--no-redact", "--max-message-bytes", "2048", "--max-payload-bytes=512", "--", "cat"},
                new String[] {"--grace-ms", "10", "--client-framing", "newline", "--server-framing", "content-length", "--", "x"},
                new String[] {"--policy", "p.json", "--root", "/r", "--policy-mode", "shadow", "--", "x", "--", "y"},
                new String[] {"--watch", "a.json", "--watch=b.json", "--agent-pid", "42", "--redact", "--", "x"},
                new String[] {"--no-watch", "--allow-live-loosening", "--otlp-endpoint", "http://127.0.0.1:4318", "--", "x"},
                new String[] {"node", "server.js", "--name", "not-ours"});
        for (String[] line : lines) {
            RecordCommand fast = RecordArgs.parse(line);
            assertNotNull(fast, String.join(" ", line));
            assertEquals(state(picocli(line)), state(fast), String.join(" ", line));
        }
    }

    @Test
    void leavesEverythingElseToPicocli() {
        for (String[] line : List.of(new String[] {"--help"}, new String[] {"--version"}, new String[] {"-h", "--", "x"},
                new String[] {"--nmae", "x", "--", "y"}, new String[] {"--max-message-bytes", "lots", "--", "x"},
                new String[] {"--name"}, new String[] {"--"}, new String[] {}, new String[] {"--no-redact=1", "--", "x"})) {
            assertNull(RecordArgs.parse(line), String.join(" ", line));
        }
    }

    @Test
    void knowsEveryOptionOfTheRecordCommand() {
        Set<String> declared = new TreeSet<>();
        for (OptionSpec o : new CommandLine(new RecordCommand()).getCommandSpec().options()) {
            for (String n : o.names()) {
                if (n.startsWith("--") && !List.of("--help", "--version").contains(n)) {
                    declared.add(n);
                }
                if (o.negatable() && n.startsWith("--")) {
                    declared.add("--no-" + n.substring(2));
                }
            }
        }
        Set<String> known = new TreeSet<>(RecordArgs.FLAGS);
        known.addAll(RecordArgs.VALUED);
        List<String> missing = new ArrayList<>(declared);
        missing.removeAll(known);
        assertTrue(missing.isEmpty(), "record options RecordArgs does not read (record would start through picocli, "
                + "~100 ms slower): " + missing);
        List<String> extra = new ArrayList<>(known);
        extra.removeAll(declared);
        assertTrue(extra.isEmpty(), "RecordArgs reads options record does not have: " + extra);
    }
}
