package dev.agenttrace.proxy.http;

import dev.agenttrace.rules.Guard;
import java.io.PrintStream;

/**
 * What every connection of one proxy shares: its options, the upstream, the trace sessions and
 * the policy guard (null when no policy is in force), and the residence times when measured
 * (null unless asked for, see {@link ResidenceTimes}).
 */
record ProxyContext(HttpProxyOptions options, Upstream upstream, SessionRegistry sessions, Guard guard, PrintStream err,
                    ResidenceTimes timing) {
}
