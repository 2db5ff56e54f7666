/**
 * Circuit breakers (docs/DESIGN.md §7): watchers that trip on a runaway agent, and what they do about it.
 *
 * <p>One implementation for the three modes. {@link dev.agenttrace.rules.watch.SessionWatch} holds a
 * session's watchers and the state they share; it is fed {@code TraceEvent}s in order and returns
 * {@link dev.agenttrace.rules.watch.Alert}s. Inline, a proxy feeds it before forwarding and asks
 * {@link dev.agenttrace.rules.watch.SessionWatch#blocked()}; {@link dev.agenttrace.rules.watch.LiveWatch}
 * ({@code agent-trace watch}) feeds it what another process appends; {@link dev.agenttrace.rules.watch.SessionLint}
 * ({@code agent-trace lint}) feeds it a stored session. {@link dev.agenttrace.rules.watch.AlertActions}
 * carries out terminal, file, webhook, pause and kill off the caller's thread.
 *
 * <p>Configuration: {@link dev.agenttrace.rules.watch.WatchConfigParser} reads {@code .agent-watch.json}
 * and {@code .watch-rules.json} strictly (file:line:column, problem, fix). Prices for the cost
 * watcher: the trace store's {@link dev.agenttrace.store.cost.PriceTable} (shared with the cost analysis).
 */
package dev.agenttrace.rules.watch;
