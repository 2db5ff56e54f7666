package dev.agenttrace.report.session;

/**
 * Something that happened at an instant and belongs on the time axis: a firewall decision, a
 * breaker alert, a user prompt, an error no call owns.
 *
 * @param kind   {@code policy} (firewall), {@code alert} (breaker tripped), {@code block} (a call
 *               refused because a breaker blocked the session), {@code decision} (any other),
 *               {@code prompt}, {@code error}
 * @param choice what was done: {@code block}, {@code allow} (shadow mode), {@code pause}, {@code kill}, {@code alert}
 * @param rule   the rule that decided, or null
 * @param reason one line for humans, or the prompt's text
 * @param row    the waterfall row of the call it concerns, or -1
 * @param eventId the event it was read from (a live page recognises a mark it already has), or null
 */
public record Mark(String eventId, double atMs, String kind, String choice, String rule, String reason, String tool, int row) {
}
