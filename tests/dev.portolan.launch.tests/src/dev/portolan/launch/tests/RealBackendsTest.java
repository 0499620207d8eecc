package dev.portolan.launch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.Verification;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.RestartPolicy;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.core.discovery.HealthProbe;
import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.OsgiServices;

/** The real backends of the project (sample Java backend, Python FastAPI example) launched through the launcher. */
class RealBackendsTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static SidecarLauncher launcher() {
        return OsgiServices.await(RealBackendsTest.class, SidecarLauncher.class, WAIT);
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Announcement verified by its v2 proof, pid = the backend's, /health proves the identity key for a fresh
     * challenge and reveals no secret; stop frees the port.
     */
    private static void launchServeAndStop(LaunchSpec spec) throws Exception {
        LaunchHandle h = launcher().launch(spec);
        try {
            SidecarAnnouncement a = h.announcement().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertTrue(a.verified(), "the backend proves its identity: " + a);
            assertEquals(Verification.CHALLENGE, a.verification(), "our backends speak protocol v2");
            assertEquals(a.announcement().pid().longValue(), a.pid(), "the announced pid is the handle's");
            assertEquals(a.pid(), h.pid().orElseThrow());
            int port = a.announcement().port();
            assertTrue(port >= 21100 && port <= 21299, "port from PORTOLAN_PORT_RANGE: " + port);
            HealthProbe.Result health = HealthProbe.probe(a.announcement().healthUrl(), h.credentials(), WAIT);
            assertTrue(health.verified(), health.toString());
            assertEquals(Verification.CHALLENGE, health.verification());
            String body = get(a.announcement().healthUrl()).body();
            assertFalse(body.contains(h.token()) || body.contains(h.credentials().identityKey())
                    || body.contains(h.credentials().apiToken()), "no secret on /health: " + body);
            h.stop().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(0, h.exit().get(WAIT.toMillis(), TimeUnit.MILLISECONDS), "graceful stop: " + h.output());
            assertEquals(SidecarState.EXITED, h.state());
            Fakes.awaitGone(a.pid(), WAIT);
            assertTrue(Fakes.bindable(port), "port " + port + " is free again");
        } finally {
            h.stop().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void sampleJavaBackendIsLaunchedServesAndStops() throws Exception {
        launchServeAndStop(LaunchSpec.builder(SampleBackend.command())
                .env(EnvironmentVariables.PORTOLAN_PORT_RANGE, "21100-21199").announcementTimeout(WAIT).build());
    }

    @Test
    void pythonFastApiExampleIsLaunchedServesAndStops() throws Exception {
        launchServeAndStop(pythonExample().build());
    }

    @Test
    void sigkilledPythonFastApiExampleIsRestartedAndServesAgain() throws Exception {
        LaunchHandle h = launcher().launch(pythonExample().restartPolicy(RestartPolicy.DEFAULT).build());
        try {
            SidecarAnnouncement first = h.announcement().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            Recorder r = new Recorder();
            h.addListener(r);
            ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly();
            SidecarAnnouncement second = r.nextAnnouncement(WAIT);
            assertNotEquals(first.pid(), second.pid());
            assertEquals(1, second.restartCount());
            assertTrue(second.verified());
            assertEquals(200, get(second.announcement().healthUrl()).statusCode());
        } finally {
            h.stop().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static LaunchSpec.Builder pythonExample() {
        return LaunchSpec.builder(Fakes.PYTHON, Build.repoRoot().resolve("examples/python-fastapi/main.py").toString())
                .env(EnvironmentVariables.PORTOLAN_PORT_RANGE, "21200-21299").announcementTimeout(WAIT);
    }
}
