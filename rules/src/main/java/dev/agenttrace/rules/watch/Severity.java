package dev.agenttrace.rules.watch;

import java.util.Locale;

/** How bad a tripped rule is; {@code lint} maps it to its exit code (critical 2, warning 1 with --strict). */
public enum Severity {
    INFO, WARNING, CRITICAL;

    /** {@code info}, {@code warning}, {@code critical}: the spelling in config files and JSON output. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The severity with that spelling, or null. */
    public static Severity fromWireName(String s) {
        for (Severity v : values()) {
            if (v.wireName().equals(s)) {
                return v;
            }
        }
        return null;
    }
}
