package dev.agenttrace.rules.watch;

import dev.agenttrace.rules.scope.paths.NormalisedPath;
import dev.agenttrace.rules.scope.paths.PathGlob;
import dev.agenttrace.rules.scope.paths.PathNormaliser;
import dev.agenttrace.store.EventTypes;

/**
 * A rules-file {@code file_path matches "<glob>"} condition: any path a call reads or writes (and
 * any {@code file_read}/{@code file_write} uri) matched with the firewall's globs and path
 * normalisation, so {@code **}/production.env also matches {@code production.env} at the root, and
 * {@code ./config/../production.env} is caught (agent-strace used plain fnmatch on two argument names).
 */
final class PathRuleWatcher implements Watcher {
    private final RuleSpec rule;
    private final PathGlob glob;
    private final PathNormaliser normaliser;

    PathRuleWatcher(RuleSpec rule, PathGlob glob, SessionContext context) {
        this.rule = rule;
        this.glob = glob;
        this.normaliser = PathNormaliser.resolving(context.root(), context.home());
    }

    @Override
    public void onEvent(Observation o, Trips trips) {
        if (o.call != null) {
            for (String p : o.call.paths) {
                check(p, o, trips);
            }
        } else if (EventTypes.FILE_READ.equals(o.event.eventType()) || EventTypes.FILE_WRITE.equals(o.event.eventType())) {
            String uri = o.event.data() == null ? null : SessionState.text(o.event.data(), "uri");
            if (uri != null && (uri.startsWith("file:") || !uri.contains("://"))) {
                check(uri, o, trips);
            }
        }
    }

    private void check(String path, Observation o, Trips trips) {
        for (NormalisedPath np : normaliser.readings(path)) {
            if (np.isValid() && glob.matches(np, normaliser, false)) {
                String what = o.call != null ? o.call.tool + " on " + path : o.event.eventType() + " " + path;
                trips.trip(rule, np.absolute(), what + " matches \"" + glob.text() + "\"",
                        "This path is off limits for the agent.", o.event, o.timestamp);
                return;
            }
        }
    }
}
