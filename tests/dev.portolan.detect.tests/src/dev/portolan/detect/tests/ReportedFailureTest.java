package dev.portolan.detect.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.portolan.api.Endpoint;
import dev.portolan.api.Subscription;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.core.internal.EndpointTrackerImpl;
import dev.portolan.registry.internal.LocalRegistry;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.SigningBackend;

/**
 * A client reports the endpoint object it used (an API call: the instance set's), and the tracker may hold another
 * object for the same backend (another source or verification, updated by a health check since): the failure is the
 * current backend's all the same, and the tracker never answers the report with the backend that just failed (the
 * caller's one retry would go back to it). Real registry, real signing server, real refused connection.
 */
class ReportedFailureTest {

    static {
        Fixtures.init();
    }

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aFailureReportedWithAnotherObjectForTheCurrentBackendCountsAsItsFailure() throws Exception {
        LocalRegistry registry = Fixtures.localRegistry();
        EndpointTrackerImpl tracker = Fixtures.trackerWithoutStrategies();
        Await.Recorder<EndpointStatus> statuses = new Await.Recorder<>();
        SigningBackend backend = SigningBackend.real();
        int port = backend.port();
        try {
            tracker.activate();
            Subscription listening = tracker.addListener(statuses::accept);
            try {
                tracker.addRegistry(registry);
                registry.register(backend.entry(InstanceEntry.DEFAULT_SERVICE, "web-1", backend.identity()));
                EndpointStatus serving = statuses.await(s -> s.state() == EndpointState.AVAILABLE
                        && s.endpoint() != null && s.endpoint().port() == port, WAIT, "the registered instance serves");
                Endpoint used = serving.endpoint().withSource("scan", Verification.NONE); // same backend, other object
                assertNotEquals(serving.endpoint(), used);
                backend.close(); // its port refuses from now on
                EndpointStatus after = tracker.reportFailure(used, new ConnectException("Connection refused"))
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertFalse(after.state() == EndpointState.AVAILABLE && after.endpoint() != null
                        && after.endpoint().port() == port, "the failed backend is not the answer: " + after);
            } finally {
                listening.close();
            }
        } finally {
            backend.close();
            tracker.deactivate();
            registry.close();
        }
    }

    @Test
    void aFailureOfThePinnedBackendReportedWithAnotherObjectIsChecked() throws Exception {
        EndpointTrackerImpl tracker = Fixtures.trackerWithoutStrategies();
        SigningBackend backend = SigningBackend.real();
        int port = backend.port();
        try {
            tracker.activate();
            EndpointStatus pinned = tracker.override(Endpoint.at("127.0.0.1", port, "user", false))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(EndpointState.OVERRIDDEN, pinned.state(), pinned::toString);
            Endpoint used = pinned.endpoint().withSource("scan", Verification.NONE); // same backend, other object
            assertNotEquals(pinned.endpoint(), used);
            backend.close();
            EndpointStatus after = tracker.reportFailure(used, new ConnectException("Connection refused"))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(EndpointState.UNAVAILABLE, after.state(), "the pinned backend was checked: " + after);
            assertTrue(after.message().startsWith("manual override http://127.0.0.1:" + port + " is not answering"),
                    after.message());
        } finally {
            backend.close();
            tracker.deactivate();
        }
    }
}
