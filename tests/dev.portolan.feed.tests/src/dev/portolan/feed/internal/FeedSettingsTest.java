package dev.portolan.feed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The feed's switches and settings: precedence, defaults and messages for bad values. */
class FeedSettingsTest {

    @Test
    void thePropertyBeatsTheEnvironmentAndTheProductDefaultsToOn() {
        Map<String, String> envOn = Map.of("PORTOLAN_FEED", "on");
        assertTrue(FeedSwitch.decide(null, Map.of(), "dev.portolan.app.application").enabled());
        assertFalse(FeedSwitch.decide(null, Map.of(), "dev.portolan.app.cli").enabled());
        assertFalse(FeedSwitch.decide(null, Map.of(), null).enabled());
        assertTrue(FeedSwitch.decide(null, envOn, null).enabled());
        assertFalse(FeedSwitch.decide("false", envOn, "dev.portolan.app.application").enabled());
        assertNull(FeedSwitch.decide("1", Map.of(), null).problem());
    }

    @Test
    void aBadSwitchValueIsNamedAndTheDefaultApplies() {
        FeedSwitch.Decision d = FeedSwitch.decide(null, Map.of("PORTOLAN_FEED", "maybe"), null);
        assertFalse(d.enabled());
        assertEquals("PORTOLAN_FEED='maybe' is not true/false (1/0, yes/no, on/off); the feed is off by default here",
                d.problem());
    }

    @Test
    void originsAreNormalizedAndBadOnesReportedAndIgnored() {
        FeedConfig c = FeedConfig.from(null, Map.of("PORTOLAN_FEED_ORIGINS",
                "http://LOCALHOST:5173, tauri://localhost,localhost:3000, http://x/path"), null);
        assertEquals(Set.of("http://localhost:5173", "tauri://localhost"), c.origins());
        assertEquals(2, c.problems().size(), c.problems().toString());
        assertTrue(c.problems().get(0).startsWith("PORTOLAN_FEED_ORIGINS: 'localhost:3000' is not an origin"),
                c.problems().get(0));
        assertEquals(Set.of("https://app.example"), FeedConfig.from("https://app.example",
                Map.of("PORTOLAN_FEED_ORIGINS", "http://other"), null).origins(), "the property wins");
    }

    @Test
    void aBadQueueBoundIsNamedAndTheDefaultApplies() {
        FeedConfig c = FeedConfig.from(null, Map.of(), "lots");
        assertEquals(FeedConfig.DEFAULT_QUEUE, c.queueLimit());
        assertEquals("-Dportolan.feed.queue='lots' is not a number of events 1-1000000; using 1024",
                c.problems().get(0));
        assertEquals(16, FeedConfig.from(null, Map.of(), "16").queueLimit());
    }

    @Test
    void tokensAndTicketsAreCheckedExactly() {
        FeedAccess a = new FeedAccess("abc", FeedConfig.of(Set.of(), 8));
        assertTrue(a.bearer("Bearer abc"));
        assertTrue(a.bearer("bearer abc"));
        assertFalse(a.bearer("Bearer abcd"));
        assertFalse(a.bearer("Basic abc"));
        assertFalse(a.bearer(null));
        assertTrue(a.subprotocol(java.util.List.of("portolan.v1", "portolan.token.abc")));
        assertFalse(a.subprotocol(java.util.List.of("portolan.token.ab")));
        String t = a.issueTicket();
        assertTrue(a.redeem(t));
        assertFalse(a.redeem(t), "a ticket works once");
        assertFalse(a.redeem("made-up"));
    }
}
