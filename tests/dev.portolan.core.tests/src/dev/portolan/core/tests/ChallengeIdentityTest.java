package dev.portolan.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Verification;
import dev.portolan.core.discovery.HealthProbe.Identity;
import dev.portolan.core.discovery.HealthProbe;
import dev.portolan.core.protocol.IdentityProof;
import dev.portolan.tests.common.TestBackend;
import dev.portolan.tests.common.TestPorts;

/**
 * Protocol v2 identity against real loopback HTTP servers: only the holder of the identity key passes, whatever an
 * impostor copies, records or relays; a backend proven with v2 is never accepted on a mere token echo.
 */
class ChallengeIdentityTest {

    static final TestPorts PORTS = new TestPorts(22300, 22399);
    static final Duration T = Duration.ofSeconds(5);
    static final String KEY = IdentityProof.newSecret();
    static final BackendCredentials V2 = new BackendCredentials(KEY, IdentityProof.newSecret(), null, false);

    private static URI health(TestBackend b) {
        return b.baseUrl().resolve("/health");
    }

    @Test
    void theKeyHolderIsVerifiedByChallengeAndEveryCheckUsesAFreshNonce() throws Exception {
        try (TestBackend b = TestBackend.v2(PORTS.one(), KEY, null)) {
            HealthProbe.Result r = HealthProbe.probe(health(b), V2, T);
            assertTrue(r.verified(), r.toString());
            assertEquals(Identity.VERIFIED, r.identity());
            assertEquals(Verification.CHALLENGE, r.verification());
            assertTrue(HealthProbe.probe(health(b), V2, T).verified(), "a second check verifies as well");
        }
    }

    @Test
    void aReflectingImpostorIsNeverVerified() throws Exception {
        try (TestBackend reflector = TestBackend.reflector(PORTS.one())) {
            HealthProbe.Result r = HealthProbe.probe(health(reflector), V2, T);
            assertTrue(r.healthy());
            assertFalse(r.accepted(), r.toString());
            assertEquals(Identity.REJECTED, r.identity());
            assertTrue(r.detail().contains("wrong identity proof"), r.detail());
            assertEquals(List.of(), reflector.apiRequests());
        }
    }

    @Test
    void aRecordedProofProvesNothingLater() throws Exception {
        String recorded;
        try (TestBackend genuine = TestBackend.v2(PORTS.one(), KEY, null)) {
            // everything an observer can learn: a challenge and the genuine answer to it
            HttpResponse<Void> answer = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                    HttpRequest.newBuilder(health(genuine)).header(IdentityProof.CHALLENGE_HEADER,
                            IdentityProof.newNonce()).build(),
                    HttpResponse.BodyHandlers.discarding());
            recorded = answer.headers().firstValue(IdentityProof.PROOF_HEADER).orElseThrow();
        }
        try (TestBackend replayer = TestBackend.replayer(PORTS.one(), recorded)) {
            HealthProbe.Result r = HealthProbe.probe(health(replayer), V2, T);
            assertFalse(r.accepted(), r.toString());
            assertEquals(Identity.REJECTED, r.identity());
        }
    }

    @Test
    void aProofRelayedFromTheGenuineBackendOnAnotherPortIsRejected() throws Exception {
        try (TestBackend genuine = TestBackend.v2(PORTS.one(), KEY, null);
                TestBackend relay = TestBackend.relay(PORTS.one(), health(genuine))) {
            HealthProbe.Result r = HealthProbe.probe(health(relay), V2, T);
            assertFalse(r.accepted(), r.toString());
            assertTrue(genuine.healthRequests() > 0, "the relay did ask the genuine backend");
        }
    }

    @Test
    void aBackendWithoutProofIsRejectedWhenAKeyIsExpected() throws Exception {
        try (TestBackend seed = TestBackend.start(PORTS.one(), null)) {
            HealthProbe.Result r = HealthProbe.probe(health(seed), V2, T);
            assertFalse(r.accepted(), r.toString());
            assertTrue(r.detail().contains("without an identity proof"), r.detail());
        }
    }

    @Test
    void aTokenEchoCountsOnlyAsTheWeakerLevelAndNeverAfterAV2Proof() throws Exception {
        try (TestBackend v1 = TestBackend.start(PORTS.one(), "v1-token")) {
            BackendCredentials both = new BackendCredentials(KEY, null, "v1-token", false);
            HealthProbe.Result r = HealthProbe.probe(health(v1), both, T);
            assertTrue(r.verified(), r.toString());
            assertEquals(Verification.TOKEN_ECHO, r.verification());
            HealthProbe.Result pinned = HealthProbe.probe(health(v1), both.requireV2(), T);
            assertFalse(pinned.accepted(), "no downgrade once v2 was proven: " + pinned);
        }
    }
}
