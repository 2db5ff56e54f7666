package dev.agenttrace.rules.scope;

import dev.agenttrace.rules.scope.network.HostPattern;
import java.util.List;

/**
 * {@code network}.
 *
 * @param denyAll when true, only hosts matching {@link #allow} may be contacted; when false the
 *                network is not restricted and {@code allow} has no effect (the parser warns)
 * @param allow   the hosts that pass when {@code denyAll} is set
 */
public record NetworkRules(boolean denyAll, List<HostPattern> allow) {
    public static final NetworkRules NONE = new NetworkRules(false, List.of());

    public NetworkRules {
        allow = List.copyOf(allow);
    }
}
