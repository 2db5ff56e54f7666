package dev.agenttrace.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdsTest {
    @Test
    void idsHaveAgentStraceShapes() {
        for (int i = 0; i < 1000; i++) {
            assertTrue(Ids.sessionId().matches("[0-9a-f]{16}"));
            assertTrue(Ids.eventId().matches("[0-9a-f]{12}"));
        }
    }

    @Test
    void idsDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            seen.add(Ids.eventId());
        }
        assertEquals(100_000, seen.size());
    }
}
