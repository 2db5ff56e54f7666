package dev.agenttrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The short ways in: a line that names a command gets a picocli root with that command alone, and
 * a plain {@code mcp} line is read without picocli. Both must be what the whole command line would
 * have made of it.
 */
class CommandLinesTest {

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    @Test
    void everyCommandIsFoundUnderItsOwnName() {
        CommandLine all = Cli.all();
        assertEquals(Cli.NAMES, new ArrayList<>(all.getSubcommands().keySet()));
        for (String name : Cli.NAMES) {
            Object c = Cli.command(name);
            assertNotNull(c, name);
            assertEquals(name, new CommandLine(c).getCommandName(), "the @Command name of " + c.getClass().getSimpleName());
        }
        assertNull(Cli.command("lsit"));
    }

    @Test
    void aCommandAloneUnderTheRootSaysWhatTheWholeTreeSays() {
        // help of one command, a usage error in it, and an unknown command (which needs every name)
        String[] help = run("list", "--help");
        assertEquals("0", help[0]);
        assertTrue(help[1].startsWith("Usage: agent-trace list"), help[1]);
        String[] bad = run("list", "--limt", "3");
        assertEquals("2", bad[0]);
        assertTrue(bad[2].contains("unknown option '--limt' of 'agent-trace list'; did you mean '--limit'?"), bad[2]);
        String[] unknown = run("lsit");
        assertEquals("2", unknown[0]);
        assertTrue(unknown[2].contains("did you mean 'list'?") && unknown[2].contains("drift"), unknown[2]);
        String[] top = run("--help");
        assertEquals("0", top[0]);
        for (String name : Cli.NAMES) {
            assertTrue(top[1].contains("  " + name + " "), name + " in\n" + top[1]);
        }
    }

    @Test
    void readsThePlainMcpLinesAsPicocliDoes() {
        for (String[] line : List.of(new String[] {}, new String[] {"--trace-dir", "/tmp/t"}, new String[] {"--trace-dir=/tmp/t"},
                new String[] {"--trace-dir", "./a b"}, new String[] {"--trace-dir", "a", "--trace-dir", "b"})) {
            McpCommand fast = McpArgs.parse(line);
            assertNotNull(fast, String.join(" ", line));
            McpCommand slow = new McpCommand();
            new CommandLine(slow).parseArgs(line);
            assertEquals(String.valueOf(slow.traceDir.dirs), String.valueOf(fast.traceDir.dirs), String.join(" ", line));
        }
        for (String[] line : List.of(new String[] {"--help"}, new String[] {"-V"}, new String[] {"--trace-dir"},
                new String[] {"--trace-dir="}, new String[] {"--trace"}, new String[] {"x"})) {
            assertNull(McpArgs.parse(line), String.join(" ", line));
        }
    }

    @Test
    void mcpArgsKnowsEveryOptionOfTheMcpCommand() {
        Set<String> declared = new TreeSet<>();
        for (OptionSpec o : new CommandLine(new McpCommand()).getCommandSpec().options()) {
            for (String n : o.names()) {
                if (n.startsWith("--") && !List.of("--help", "--version").contains(n)) {
                    declared.add(n);
                }
            }
        }
        assertEquals(Set.of("--trace-dir"), declared, "mcp options McpArgs does not read (mcp would start through picocli, ~0.1 s slower)");
    }
}
