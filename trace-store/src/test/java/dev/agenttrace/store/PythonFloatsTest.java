package dev.agenttrace.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PythonFloatsTest {
    /** Each value with what Python 3.11's repr() prints for it (generated with Python, not by hand). */
    private static final Object[][] PYTHON_REPR = {
        {Double.longBitsToDouble(0x3d30000000000000L), "5.684341886080802e-14"}, // Java 17 prints ...8015E-14
        {Double.longBitsToDouble(0x44b52d02c7e14af6L), "1e+23"},
        {Double.longBitsToDouble(0x44c52d02c7e14af6L), "2e+23"},
        {Double.longBitsToDouble(0x0000000000000001L), "5e-324"},
        {Double.longBitsToDouble(0x3f1a36e2eb1c432dL), "0.0001"},
        {Double.longBitsToDouble(0x3ee4f8b588e368f1L), "1e-05"},
        {Double.longBitsToDouble(0x4341c37937e08000L), "1e+16"},
        {Double.longBitsToDouble(0x4341c37937e07fffL), "9999999999999998.0"},
        {Double.longBitsToDouble(0x3fb999999999999aL), "0.1"},
        {Double.longBitsToDouble(0x3fd5555555555555L), "0.3333333333333333"},
        {Double.longBitsToDouble(0x40b3880000000000L), "5000.0"},
        {Double.longBitsToDouble(0x404befa450000000L), "55.872201919555664"},
        {Double.longBitsToDouble(0x41dac0ba1fc6d247L), "1795352703.1065843"},
        {Double.longBitsToDouble(0x8000000000000000L), "-0.0"},
        {Double.longBitsToDouble(0x7fefffffffffffffL), "1.7976931348623157e+308"},
        {Double.longBitsToDouble(0x437b69b4ba630f35L), "1.2345678901234568e+17"},
        {Double.longBitsToDouble(0x453055259ecf9252L), "1.9744908237934773e+25"}, // Java 17 prints ...772E25
        {Double.longBitsToDouble(0x0010000000000000L), "2.2250738585072014e-308"},
        {Double.longBitsToDouble(0x3fd3333333333334L), "0.30000000000000004"},
        {Double.longBitsToDouble(0x4059000000000000L), "100.0"},
        {Double.longBitsToDouble(0x4480f0cf064dd592L), "1e+22"},
        {Double.longBitsToDouble(0xbe8421f5f40d8376L), "-1.5e-07"},
        {Double.longBitsToDouble(0x4011666666666666L), "4.35"},
        {Double.longBitsToDouble(0x3f50624dd2f1a9fcL), "0.001"},
        {0.0, "0.0"},
        {Double.NaN, "NaN"},
        {Double.POSITIVE_INFINITY, "Infinity"},
        {Double.NEGATIVE_INFINITY, "-Infinity"},
    };

    @Test
    void printsFloatsExactlyAsPythonRepr() {
        for (Object[] row : PYTHON_REPR) {
            assertEquals(row[1], PythonFloats.repr((Double) row[0]), "repr of bits "
                    + Long.toHexString(Double.doubleToRawLongBits((Double) row[0])));
        }
    }

    /**
     * Python's rule, spelled out with exact arithmetic: the fewest digits that read back as x,
     * and of those the closest to x (ties to an even last digit).
     */
    private static BigDecimal definition(double x) {
        BigDecimal exact = new BigDecimal(Math.abs(x));
        for (int p = 1; p <= 17; p++) {
            BigDecimal lo = exact.round(new MathContext(p, RoundingMode.FLOOR));
            BigDecimal hi = exact.round(new MathContext(p, RoundingMode.CEILING));
            boolean loOk = lo.doubleValue() == Math.abs(x);
            boolean hiOk = hi.doubleValue() == Math.abs(x);
            if (loOk && hiOk) {
                int c = exact.subtract(lo).compareTo(hi.subtract(exact));
                return c < 0 ? lo : c > 0 ? hi : lo.unscaledValue().testBit(0) ? hi : lo;
            }
            if (loOk || hiOk) {
                return loOk ? lo : hi;
            }
        }
        throw new AssertionError("17 digits always read back");
    }

    @Test
    void followsPythonsRuleOnRandomTimestampsDurationsAndBitPatterns() {
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 16_000; i++) {
            double x;
            switch (i % 4) {
                case 0:
                    x = Double.longBitsToDouble(r.nextLong());
                    break;
                case 1:
                    x = 1.6e9 + r.nextDouble() * 2e8; // epoch seconds
                    break;
                case 2:
                    x = r.nextDouble() * 10_000; // milliseconds
                    break;
                default:
                    x = Math.scalb(1.0, r.nextInt(-1074, 1024)); // powers of two: the uneven intervals
            }
            if (!Double.isFinite(x) || x == 0) {
                continue;
            }
            String s = PythonFloats.repr(x);
            BigDecimal want = definition(x);
            BigDecimal got = new BigDecimal(s).abs();
            assertEquals(0, want.compareTo(got), "repr(" + x + ") = " + s + ", want " + want);
            assertEquals(want.stripTrailingZeros().precision(), got.stripTrailingZeros().precision(), s);
        }
    }

    @Test
    void printsTheShortestDecimalThatReadsBack() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            double x = i % 2 == 0 ? Double.longBitsToDouble(r.nextLong()) : 1.7e9 + r.nextDouble() * 1e8;
            if (!Double.isFinite(x)) {
                continue;
            }
            String s = PythonFloats.repr(x);
            assertEquals(x, Double.parseDouble(s), s);
            String digits = s.replaceFirst("e.*", "").replace("-", "").replace(".", "").replaceFirst("^0+", "")
                    .replaceFirst("0+$", "");
            assertTrue(digits.length() <= 17, s);
        }
    }
}
