package dev.agenttrace.export.otlp;

/** agent-trace's version, for the instrumentation scope and {@code service.version}. */
final class Version {
    static final String VALUE = read();

    private Version() {
    }

    private static String read() {
        String v = Version.class.getPackage() == null ? null : Version.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }
}
