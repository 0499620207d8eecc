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
        assertEquals(Duration.ofMillis(90_000), Args.duration("--timeout", "1.5m"));
        assertEquals(Duration.ofHours(1), Args.duration("--reconnect", "1h"));
        assertEquals(Duration.ofMillis(250), Args.duration("--timeout", ".25"));
        assertEquals(Duration.ofHours(24), Args.duration("--timeout", "24h"));
        assertEquals(Duration.ofHours(24), Args.duration("--timeout", "86400000ms"));
    }

    @Test
    void whatJavasNumberParsersWouldTakeIsNotADuration() {
        // Double.parseDouble took all of these: "10d" and "10f" as 10 seconds, "1e400" as infinity, a hex float
        for (String text : new String[] {"10d", "10f", "1e3", "1e400", "Infinity", "NaN", "0x1p3", "1,5s", "5 s", "s",
                "1.s", "--1s", "1ms2"}) {
            assertEquals("--timeout '" + text + "' is not a duration (e.g. 500ms, 30s, 2m, 1h)",
                    assertThrows(UsageException.class, () -> Args.duration("--timeout", text), text).getMessage());
        }
    }

    @Test
    void aDurationPastADayIsRefusedNamingIt() {
        // these overflowed a long's milliseconds or an Instant further on: an internal error instead of a message
        for (String text : new String[] {"24.0001h", "86400001ms", "1441m", "999999999999999999m",
                "9223372036854775807ms", "99999999999999999999999999h"}) {
            assertEquals("--timeout '" + text + "' is too long: at most 24h",
                    assertThrows(UsageException.class, () -> Args.duration("--timeout", text), text).getMessage());
        }
        assertEquals("--reconnect must not be negative: '-99999999999999999999h'", assertThrows(UsageException.class,
                () -> Args.durationOrZero("--reconnect", "-99999999999999999999h")).getMessage());
    }

    @Test
    void zeroIsAllowedOnlyWhereItMeansSomething() throws UsageException {
        for (String zero : new String[] {"0", "0s", "0ms", "0m", "0.0s", "0h", "-0s", "0.0004s"}) {
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
        assertEquals("--reconnect 'soon' is not a duration (e.g. 500ms, 30s, 2m, 1h)",
                assertThrows(UsageException.class, () -> Args.durationOrZero("--reconnect", "soon")).getMessage());
        assertEquals("--timeout '5 h' is not a duration (e.g. 500ms, 30s, 2m, 1h)",
                assertThrows(UsageException.class, () -> Args.duration("--timeout", "5 h")).getMessage());
    }
}
