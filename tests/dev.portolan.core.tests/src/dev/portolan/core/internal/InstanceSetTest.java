package dev.portolan.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.InstanceState;
import dev.portolan.api.discovery.InstanceStatus;
import dev.portolan.core.discovery.HealthProbe;
import dev.portolan.core.protocol.IdentityProof;
import dev.portolan.tests.common.TestBackend;
import dev.portolan.tests.common.TestPorts;

/**
 * The instance set's rules where health checks and reported failures cross: a check runs asynchronously, so its
 * answer may be applied after a failure reported later. The interleavings are made one step at a time here, with real
 * health checks of real loopback servers.
 */
class InstanceSetTest {

    static final TestPorts PORTS = new TestPorts(22280, 22299);
    static final Duration T = Duration.ofSeconds(5);
    /** The tracker's checks, without a port inspector (these instances prove their identity, not their process). */
    static final EndpointCheck CHECKS = new EndpointCheck(() -> null);
    static final String KEY = IdentityProof.newSecret();
    /** The secrets our backends were started with: an instance that proves them serves. */
    static final BackendCredentials OURS = new BackendCredentials(KEY, IdentityProof.newSecret(), null, false);

    private final List<InstanceSet.Pick> picks = new CopyOnWriteArrayList<>();
    private final InstanceSet set = new InstanceSet(picks::add);

    /**
     * A backend answers a check and is killed before that answer is applied; a client's call fails and reports it. The
     * late answer must not make the lost instance healthy and the tracker's endpoint again (a client's retry would go
     * to the dead port, as RealBackendsTest's once did in CI). The next check, begun after the failure, decides.
     */
    @Test
    void anAnswerGivenBeforeAReportedFailureDoesNotClearIt() throws Exception {
        int port = PORTS.one();
        HealthProbe.Result answered;
        Endpoint a;
        InstanceSet.Check before;
        try (TestBackend backend = TestBackend.v2(port, KEY, null)) {
            a = verified(port, "scan");
            set.observe(a, OURS, false);
            before = only(set.due(Optional.empty()));
            answered = before.probe(CHECKS, T).get();
            assertTrue(answered.accepted(), answered.toString());
        } // killed
        set.failed(a, "connection refused");
        assertEquals(InstanceState.UNHEALTHY, set.checked(before, answered).orElseThrow().state());
        assertEquals(List.of(), picks,
                "the lost instance was made the endpoint again by an answer older than its loss");

        InstanceSet.Check after = only(set.due(Optional.empty()));
        HealthProbe.Result refused = after.probe(CHECKS, T).get();
        assertFalse(refused.accepted(), refused.toString());
        assertEquals(InstanceState.UNHEALTHY, set.checked(after, refused).orElseThrow().state());

        try (TestBackend back = TestBackend.v2(port, KEY, null)) { // it came back: a check begun now clears the failure
            InstanceSet.Check again = only(set.due(Optional.empty()));
            HealthProbe.Result ok = again.probe(CHECKS, T).get();
            assertEquals(InstanceState.HEALTHY, set.checked(again, ok).orElseThrow().state());
            assertEquals(1, picks.size(), picks.toString());
            assertEquals(port, picks.get(0).endpoint().port(), "the preferred instance is back");
        }
    }

    /** A failed check applied late is still a failure: only an answer cannot undo a loss. */
    @Test
    void aRefusalBegunBeforeAReportedFailureStillCounts() throws Exception {
        int port = PORTS.one();
        Endpoint a = verified(port, "scan");
        set.observe(a, OURS, false);
        InstanceSet.Check before = only(set.due(Optional.empty()));
        HealthProbe.Result refused = before.probe(CHECKS, T).get();
        set.failed(a, "connection refused");
        Optional<InstanceStatus> s = set.checked(before, refused);
        assertEquals(InstanceState.UNHEALTHY, s.orElseThrow().state());
        assertTrue(s.get().message().contains("refused"), s.get().toString());
    }

    /**
     * The preferred instance failed and another serves: the set names the one that takes over, which the tracker
     * publishes at once instead of answering the caller with the lost endpoint while the take-over is delivered.
     */
    @Test
    void whenThePreferredFailsTheServingOtherIsNamed() throws Exception {
        int p1 = PORTS.one();
        int p2 = PORTS.one();
        Endpoint a = verified(p1, "scan");
        Endpoint b = verified(p2, "registry");
        set.observe(a, OURS, false);
        set.registered("b", "default", b, OURS, "local");
        assertEquals(Optional.empty(), set.servingOther(a), "the preferred instance still serves");
        set.failed(a, "connection refused");
        assertEquals(p2, picks.get(0).endpoint().port(), "told to the tracker");
        assertEquals(Optional.of(p2), set.servingOther(a).map(p -> p.endpoint().port()));
        assertEquals(Optional.empty(), set.servingOther(b), "b is the preferred one");
    }

    /**
     * The tracker's health monitor probes its endpoint every interval; that probe is the endpoint's instance check too
     * (same URL, verification and credentials), so the instance checker leaves that instance out and the backend is
     * asked once per interval, not twice. A probe with other credentials is no check of the instance: both run.
     */
    @Test
    void theInstanceTheTrackerProbesIsCheckedByThatProbeOnly() throws Exception {
        int p1 = PORTS.one();
        int p2 = PORTS.one();
        try (TestBackend one = TestBackend.v2(p1, KEY, null); TestBackend two = TestBackend.v2(p2, KEY, null)) {
            Endpoint a = verified(p1, "scan");
            Endpoint b = verified(p2, "registry");
            set.observe(a, OURS, false);
            set.registered("b", "default", b, OURS, "local");
            HealthMonitor.Look tracked = new HealthMonitor.Look(EndpointState.AVAILABLE, a, OURS, false);

            InstanceSet.Check other = only(set.due(Optional.of(tracked)));
            assertEquals(p2, other.healthUrl().getPort(), "only the instance the tracker does not probe");
            InstanceSet.Check byTracker = set.checkProbedByTracker(tracked).orElseThrow();
            assertEquals(p1, byTracker.healthUrl().getPort());
            assertEquals(Optional.empty(), set.checkProbedByTracker(tracked), "one check at a time");
            HealthProbe.Result answered = byTracker.probe(CHECKS, T).get();
            InstanceStatus after = set.checked(byTracker, answered).orElseThrow();
            assertEquals(InstanceState.HEALTHY, after.state());
            assertEquals(answered.latency(), after.latency(), "the tracker's probe is the instance's latency");

            HealthMonitor.Look otherCredentials = new HealthMonitor.Look(EndpointState.AVAILABLE, a,
                    BackendCredentials.NONE, false);
            assertEquals(Optional.empty(), set.checkProbedByTracker(otherCredentials));
            set.checked(other, other.probe(CHECKS, T).get());
            assertEquals(2, set.due(Optional.of(otherCredentials)).size(), "not the same probe: both are checked");
        }
    }

    @AfterEach
    void close() {
        set.close(T);
    }

    private static Endpoint verified(int port, String source) {
        return Endpoint.at("127.0.0.1", port, source, true).withSource(source, Verification.CHALLENGE);
    }

    private static InstanceSet.Check only(List<InstanceSet.Check> due) {
        assertEquals(1, due.size(), due.toString());
        return due.get(0);
    }
}
