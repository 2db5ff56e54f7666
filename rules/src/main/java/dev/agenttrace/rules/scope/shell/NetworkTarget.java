package dev.agenttrace.rules.scope.shell;

import dev.agenttrace.rules.scope.network.HostName;
import java.util.List;

/**
 * A place a command may connect to.
 *
 * @param written what the command says ({@code http://localhost@evil.com}, {@code evil.com},
 *                {@code git@github.com:o/r})
 * @param hosts   every host it could reach (more than one when URL parsers disagree)
 * @param how     what makes it a network access, for messages ({@code "URL"}, {@code "curl"})
 */
public record NetworkTarget(String written, List<HostName> hosts, String how) {
    public NetworkTarget {
        hosts = List.copyOf(hosts);
    }
}
