package dev.agenttrace.proxy.stdio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * On JDK 24 and later the proxy hands ProcessBuilder a logger that logs nothing before it starts the
 * server (the JDK would otherwise search every jar for a logger provider on the way to the first
 * answer); on JDK 17 nothing changes. Either way the server starts and its bytes come through.
 */
class ProcessStartLoggerTest {

    @Test
    void theServerStartsAndOnJdk24AndLaterProcessBuilderGetsTheQuietLogger() throws Exception {
        boolean installed = ProcessStartLogger.install();
        StdioProxy.Spawned spawned = StdioProxy.spawn(List.of("sh", "-c", "printf started"));
        Process p = spawned.process;
        assertEquals("started", new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(0, p.waitFor());
        if (Runtime.version().feature() < 24) {
            assertFalse(installed, "JDK " + Runtime.version().feature() + " has no process-start logging to keep off the path");
            return;
        }
        assertTrue(installed, "java.lang is open to the proxy here, as agent-trace.jar's manifest opens it");
        Field f = ProcessBuilder.class.getDeclaredField("LOGGER");
        f.setAccessible(true);
        System.Logger logger = (System.Logger) f.get(null);
        assertTrue(logger instanceof ProcessStartLogger.Quiet, String.valueOf(logger));
        for (System.Logger.Level level : System.Logger.Level.values()) {
            assertFalse(logger.isLoggable(level), level.toString());
        }
    }
}
