package dev.agenttrace.rules.watch;

import java.util.Locale;

/**
 * A session measure against a limit: cost, tokens, context use, duration, files modified,
 * failing test runs in a row, and every {@code <metric> <op> <number>} condition of a rules file.
 * Trips once per session, the first time the condition holds.
 */
final class ThresholdWatcher implements Watcher {
    /** A comparison of a rules-file condition. */
    enum Op {
        GT(">"), GE(">="), LT("<"), LE("<="), EQ("==");

        final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        boolean test(double value, double limit) {
            return switch (this) {
                case GT -> value > limit;
                case GE -> value >= limit;
                case LT -> value < limit;
                case LE -> value <= limit;
                case EQ -> Math.abs(value - limit) < 1e-9;
            };
        }

        static Op of(String symbol) {
            for (Op o : values()) {
                if (o.symbol.equals(symbol)) {
                    return o;
                }
            }
            return null;
        }
    }

    private final RuleSpec rule;
    private final Metric metric;
    private final Op op;
    private final double limit;
    private final String suggestion;

    ThresholdWatcher(RuleSpec rule, Metric metric, Op op, double limit, String suggestion) {
        this.rule = rule;
        this.metric = metric;
        this.op = op;
        this.limit = limit;
        this.suggestion = suggestion;
    }

    @Override
    public void onEvent(Observation o, Trips trips) {
        check(o.state, o.timestamp, o, trips);
    }

    @Override
    public void onTick(double now, SessionState s, Trips trips) {
        if (metric.changesWithTime()) {
            check(s, now, null, trips);
        }
    }

    private void check(SessionState s, double now, Observation o, Trips trips) {
        if (trips.fired(rule, "")) {
            return;
        }
        double v = metric.value(s, now);
        if (!op.test(v, limit)) {
            return;
        }
        String detail = metric == Metric.COST_USD
                ? (s.realTokens() ? " from real token counts" : " estimated from payload size") + ", priced as " + s.priceModel().name() : "";
        trips.trip(rule, "", metric.wireName() + " " + op.symbol + " " + number(limit) + ": now " + metric.format(v) + detail,
                suggestion, o == null ? null : o.event, now);
    }

    static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%s", v);
    }
}
