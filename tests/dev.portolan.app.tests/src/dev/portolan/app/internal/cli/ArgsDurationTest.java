package dev.portolan.app.internal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * The CLI's durations ({@code --timeout}, {@code --reconnect}): every documented spelling, zero only where the option
 * gives it a meaning ({@code --reconnect 0}: exit at once), and messages that name the option and the value.
 */
class ArgsDurationTest {

    @Test
    void everyDocumentedSpellingParses() throws UsageException {
        assertEquals(Duration.ofMillis(500), Args.duration("--timeout", "500ms"));
        assertEquals(Duration.ofSeconds(30), Args.duration("--timeout", "30s"));
        assertEquals(Duration.ofMillis(1500), Args.duration("--timeout", "1.5s"));
        assertEquals(Duration.ofMinutes(2), Args.duration("--timeout", "2m"));
        assertEquals(Duration.ofSeconds(7), Args.duration("--timeout", " 7 "));
        assertEquals(Duration.ofSeconds(3), Args.duration("--timeout", "3S"));
    }

    @Test
    void zeroIsAllowedOnlyWhereItMeansSomething() throws UsageException {
        for (String zero : new String[] {"0", "0s", "0ms", "0m", "0.0s"}) {
            assertEquals(Duration.ZERO, Args.durationOrZero("--reconnect", zero), zero);
            UsageException e = assertThrows(UsageException.class, () -> Args.duration("--timeout", zero), zero);
            assertEquals("--timeout must be positive: '" + zero + "'", e.getMessage());
        }
    }

    @Test
    void negativeAndMalformedValuesAreNamed() {
        assertEquals("--reconnect must not be negative: '-1s'",
                assertThrows(UsageException.class, () -> Args.durationOrZero("--reconnect", "-1s")).getMessage());
        assertEquals("--timeout must be positive: '-500ms'",
                assertThrows(UsageException.class, () -> Args.duration("--timeout", "-500ms")).getMessage());
        assertEquals("--reconnect 'soon' is not a duration (e.g. 500ms, 30s, 2m)",
                assertThrows(UsageException.class, () -> Args.durationOrZero("--reconnect", "soon")).getMessage());
        assertEquals("--timeout '5 h' is not a duration (e.g. 500ms, 30s, 2m)",
                assertThrows(UsageException.class, () -> Args.duration("--timeout", "5 h")).getMessage());
    }
}
