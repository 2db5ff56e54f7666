package dev.agenttrace.proxy.http;

import dev.agenttrace.rules.inline.Checkpoint;
import java.io.PrintStream;

/**
 * What every connection of one proxy shares: its options, the upstream, the trace sessions and
 * the checkpoint every client message passes, and the residence times when measured
 * (null unless asked for, see {@link ResidenceTimes}).
 */
record ProxyContext(HttpProxyOptions options, Upstream upstream, SessionRegistry sessions, Checkpoint checkpoint, PrintStream err,
                    ResidenceTimes timing) {
}
