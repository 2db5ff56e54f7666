package dev.agenttrace.proxy.stdio;

import java.lang.reflect.Field;
import java.util.ResourceBundle;
import java.util.function.Supplier;

/**
 * Keeps the JDK's process-start logging off the path to the server's first answer. On JDK 24 and
 * later, {@link ProcessBuilder#start} asks the system logger {@code java.lang.ProcessBuilder}
 * whether to log each start, after the fork and before it returns; the first ask makes the JDK look
 * for a {@code System.LoggerFinder} provider in every jar of the class path, which opens each of
 * them: 59-75 ms with agent-trace's 67 jars against 17-20 ms with none (bench/README.md, start-up).
 * The relays cannot start until {@code start} returns, so a client waited that long for
 * {@code initialize} on every launch.
 *
 * <p>{@link #install} gives {@code ProcessBuilder} a logger that logs nothing, when the field is
 * there and {@code java.lang} is open to us ({@code Add-Opens} in agent-trace.jar's manifest, so
 * only a {@code java -jar} launch); otherwise it does nothing and the JDK looks as before. The
 * only loss is the JDK's own debug log of process starts, which nobody can turn on for a proxy
 * whose stdout is protocol bytes anyway.
 */
final class ProcessStartLogger {
    private static volatile boolean installed;

    private ProcessStartLogger() {
    }

    /** True when {@code ProcessBuilder} now has the quiet logger (false on JDK 17, or when not allowed). */
    static boolean install() {
        if (installed) {
            return true;
        }
        if (Runtime.version().feature() < 24) {
            return false;
        }
        try {
            Field f = ProcessBuilder.class.getDeclaredField("LOGGER");
            if (f.getType() != System.Logger.class || !java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                return false;
            }
            f.setAccessible(true);
            if (f.get(null) == null) {
                f.set(null, Quiet.INSTANCE);
            }
            installed = f.get(null) == Quiet.INSTANCE;
            return installed;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false; // not opened (a launch without the manifest), or another JDK: its own lookup
        }
    }

    /** A logger for which no level is loggable. */
    static final class Quiet implements System.Logger {
        static final Quiet INSTANCE = new Quiet();

        @Override
        public String getName() {
            return "java.lang.ProcessBuilder";
        }

        @Override
        public boolean isLoggable(Level level) {
            return false;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        }

        @Override
        public void log(Level level, Supplier<String> msgSupplier) {
        }
    }
}
