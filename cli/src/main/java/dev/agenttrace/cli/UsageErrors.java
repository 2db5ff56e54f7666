package dev.agenttrace.cli;

import dev.agenttrace.rules.config.Spelling;
import java.util.ArrayList;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A usage error in one line, with "did you mean" for an unknown command or option:
 * {@code agent-trace: unknown command 'lsit'; did you mean 'list'?} rather than picocli's
 * {@code Unmatched argument at index 0: 'lsit'}.
 */
final class UsageErrors {
    private UsageErrors() {
    }

    static String describe(CommandLine.ParameterException ex) {
        CommandLine c = ex.getCommandLine();
        CommandSpec spec = c.getCommandSpec();
        String help = " Try '" + spec.qualifiedName() + " --help'.";
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().get(0);
            if (arg.startsWith("-")) {
                String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
                java.util.Map<String, String> byKey = new java.util.LinkedHashMap<>();
                for (OptionSpec o : spec.options()) {
                    for (String n : o.names()) {
                        byKey.putIfAbsent(key(n), n);
                    }
                }
                String nearKey = Spelling.nearest(key(name), new ArrayList<>(byKey.keySet()));
                String near = nearKey == null ? null : byKey.get(nearKey);
                return "unknown option '" + name + "' of '" + spec.qualifiedName() + "'"
                        + (near != null ? "; did you mean '" + near + "'?" : ".") + help;
            }
            if (!spec.subcommands().isEmpty()) {
                java.util.Map<String, String> byKey = new java.util.LinkedHashMap<>();
                spec.subcommands().keySet().forEach(n -> byKey.putIfAbsent(key(n), n));
                String nearKey = Spelling.nearest(key(arg), new ArrayList<>(byKey.keySet()));
                String near = nearKey == null ? null : byKey.get(nearKey);
                return "unknown command '" + arg + "'" + (near != null ? "; did you mean '" + near + "'?" : "")
                        + " Commands: " + String.join(", ", spec.subcommands().keySet()) + "." + help;
            }
            return "unexpected argument '" + arg + "' for '" + spec.qualifiedName() + "'." + help;
        }
        return ex.getMessage() + "." + help;
    }

    /** How {@link Spelling} compares names: no leading dashes, lower case, {@code -} as {@code _}. */
    private static String key(String name) {
        int i = 0;
        while (i < name.length() && name.charAt(i) == '-') {
            i++;
        }
        return name.substring(i).toLowerCase(java.util.Locale.ROOT).replace('-', '_');
    }
}
