package dev.portolan.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.portolan.core.protocol.DurationText;

class DurationTextTest {

    @Test
    void wholeSecondsInSecondsTheRestInMilliseconds() {
        assertEquals("2 s", DurationText.of(Duration.ofSeconds(2)));
        assertEquals("120 s", DurationText.of(Duration.ofMinutes(2)), "no minutes: a wait reads as configured");
        assertEquals("1500 ms", DurationText.of(Duration.ofMillis(1500)));
        assertEquals("999 ms", DurationText.of(Duration.ofNanos(999_999_999)), "truncated to milliseconds");
        assertEquals("0 s", DurationText.of(Duration.ZERO));
    }
}
