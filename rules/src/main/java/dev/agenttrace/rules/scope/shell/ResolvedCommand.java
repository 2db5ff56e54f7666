package dev.agenttrace.rules.scope.shell;

import java.util.List;

/**
 * A simple command with its wrappers peeled off and the code it hands on made visible.
 *
 * @param command         the simple command as parsed
 * @param layers          outermost first ({@code sudo}, {@code env}, ..., the real program last);
 *                        empty for a command that runs no program (only assignments, keywords or
 *                        redirections)
 * @param nestedScripts   scripts it runs: {@code bash -c STRING}, {@code eval ARGS},
 *                        {@code su -c STRING}, {@code env -S STRING}, a here-document fed to a
 *                        shell
 * @param nestedCommands  commands it runs from its own words ({@code find -exec rm {} ;})
 * @param scriptFromStdin a shell that reads its script from standard input ({@code curl x | sh}),
 *                        whose code cannot be seen
 */
public record ResolvedCommand(SimpleCommand command, List<Invocation> layers, List<String> nestedScripts,
                              List<SimpleCommand> nestedCommands, boolean scriptFromStdin) {

    public ResolvedCommand {
        layers = List.copyOf(layers);
        nestedScripts = List.copyOf(nestedScripts);
        nestedCommands = List.copyOf(nestedCommands);
    }

    public boolean runsProgram() {
        return !layers.isEmpty();
    }

    /** The program that does the work, after every wrapper. */
    public Invocation innermost() {
        return layers.get(layers.size() - 1);
    }
}
