package dev.portolan.registry.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.core.registry.InstanceCheck;
import dev.portolan.core.registry.InstanceCheck.Health;
import dev.portolan.tests.common.SigningBackend;

/**
 * {@link InstanceCheck#checkStarting}: a backend registers as it starts serving, so a new entry's first request may
 * find it not answering yet. Real loopback HTTP servers and Ed25519 signatures.
 */
class InstanceCheckStartingTest {

    private static final Duration TRY = Duration.ofSeconds(2);
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @Test
    void anInstanceThatDoesNotAnswerYetIsTriedAgainUntilItProvesItsIdentity() throws Exception {
        try (SigningBackend once = SigningBackend.starting(1); SigningBackend twice = SigningBackend.starting(2)) {
            // one try (what a plain check does) finds it still starting
            InstanceEntry e = once.entry("web", "web-1", once.identity());
            InstanceCheck.Result first = InstanceCheck.checkAsync(e, TRY).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertEquals(Health.UNREACHABLE, first.health(), first.detail());

            InstanceEntry e2 = twice.entry("web", "web-2", twice.identity());
            InstanceCheck.Result r = InstanceCheck.checkStarting(e2, TRY, Duration.ofSeconds(30))
                    .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertTrue(r.trusted(), r.detail());
            assertEquals("verified", r.verification());
            assertEquals(3, twice.requests(), "two unanswered tries, then the answer");
        }
    }

    @Test
    void anAnswerEndsTheCheckAtOnceAnImpostorIsNotTriedIntoTrust() throws Exception {
        try (SigningBackend real = SigningBackend.real(); SigningBackend impostor = SigningBackend.real()) {
            // the impostor answers healthy but signs with its own key, not the one the entry names
            InstanceEntry forged = impostor.entry("web", "forged", real.identity());
            InstanceCheck.Result r = InstanceCheck.checkStarting(forged, TRY, Duration.ofSeconds(30))
                    .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertEquals(Health.HEALTHY, r.health(), r.detail());
            assertFalse(r.trusted(), r.detail());
            assertTrue(r.detail().contains("wrong registry signature"), r.detail());
            assertEquals(1, impostor.requests(), "an answer is final: no second try");
        }
    }

    @Test
    void anInstanceThatNeverAnswersIsReportedUnreachableAfterTheGraceNamingItsTries() throws Exception {
        try (SigningBackend silent = SigningBackend.starting(Integer.MAX_VALUE)) {
            InstanceEntry e = silent.entry("web", "web-1", silent.identity());
            InstanceCheck.Result r = InstanceCheck.checkStarting(e, TRY, Duration.ofSeconds(1))
                    .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertEquals(Health.UNREACHABLE, r.health(), r.detail());
            assertFalse(r.trusted());
            assertEquals("unknown", r.verification());
            assertTrue(silent.requests() >= 2, "tried again: " + silent.requests());
            assertTrue(r.detail().contains("tried " + silent.requests() + " times over 1000 ms)"), r.detail());
        }
    }
}
