package dev.agenttrace.rules.scope.shell;

/**
 * A command line the splitter refuses to judge: nested deeper or longer than any real command.
 * Everything else, even unbalanced quotes, is parsed leniently (as far as the text goes), because a
 * firewall that gives up on odd input is a firewall with a hole.
 */
public final class ShellSyntaxException extends RuntimeException {
    public ShellSyntaxException(String message) {
        super(message);
    }
}
