package dev.agenttrace.proxy.http;

import dev.agenttrace.rules.inline.Checkpoint;
import java.io.PrintStream;

/**
 * What every connection of one proxy shares: its options, the upstream, the trace sessions and
 * the checkpoint every client message passes, and the residence times when measured
 * (null unless asked for, see {@link ResidenceTimes}); whether a misrouted agent hook has been
 * reported on stderr (once per proxy).
 */
record ProxyContext(HttpProxyOptions options, Upstream upstream, SessionRegistry sessions, Checkpoint checkpoint, PrintStream err,
                    ResidenceTimes timing, java.util.concurrent.atomic.AtomicBoolean misroutedHookSaid) {
    ProxyContext(HttpProxyOptions options, Upstream upstream, SessionRegistry sessions, Checkpoint checkpoint, PrintStream err,
                 ResidenceTimes timing) {
        this(options, upstream, sessions, checkpoint, err, timing, new java.util.concurrent.atomic.AtomicBoolean());
    }
}
