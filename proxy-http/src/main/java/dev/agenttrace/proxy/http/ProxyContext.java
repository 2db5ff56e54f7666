package dev.agenttrace.proxy.http;

import dev.agenttrace.rules.Guard;
import java.io.PrintStream;

/**
 * What every connection of one proxy shares: its options, the upstream, the trace sessions and
 * the policy guard (null when no policy is in force).
 */
record ProxyContext(HttpProxyOptions options, Upstream upstream, SessionRegistry sessions, Guard guard, PrintStream err) {
}
