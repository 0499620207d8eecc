package dev.portolan.detect.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;

import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.PortRange;
import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.ApiClient;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.InstanceState;
import dev.portolan.api.discovery.InstanceStatus;
import dev.portolan.api.launch.DefaultBackendCommand;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.core.internal.ApiClientImpl;
import dev.portolan.core.internal.BackendServiceImpl;
import dev.portolan.core.internal.DiscoveryServiceImpl;
import dev.portolan.core.internal.EndpointTrackerImpl;
import dev.portolan.core.internal.SettingsServiceImpl;
import dev.portolan.detect.internal.ScanStrategy;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.Closer;
import dev.portolan.tests.common.OsgiServices;

/**
 * A reload of the backend service's one sidecar ({@code run --reload-on} without {@code --instances}): a file change
 * under {@code reloadOn} restarts it gracefully, its instance shows {@code RELOADING} (not a crash, no recovery
 * restart), idempotent calls made meanwhile wait for it and none fails, and its next announcement makes it healthy
 * again, served by a new process.
 */
class SingleSidecarReloadTest {

    static {
        Fixtures.init();
    }

    @Test
    void aReloadOfTheOneSidecarShowsAsReloadingAndNoIdempotentCallFails() throws Exception {
        try (Closer closer = new Closer()) {
            int first = Fixtures.PORTS.block(6);
            PortRange range = new PortRange(first, first + 5);
            SettingsServiceImpl s = new SettingsServiceImpl(Map.of(EnvironmentVariables.PORTOLAN_PORT_RANGE,
                    range.toString(), EnvironmentVariables.PORTOLAN_START_TIMEOUT, "60000"));
            SidecarLauncher launcher = OsgiServices.await(getClass(), SidecarLauncher.class, Fixtures.WAIT);
            DefaultBackendCommand sample = OsgiServices.await(getClass(), DefaultBackendCommand.class, Fixtures.WAIT);
            EndpointTrackerImpl tracker = new EndpointTrackerImpl(
                    new DiscoveryServiceImpl(s, List.of(new ScanStrategy())), s);
            tracker.activate();
            closer.add(tracker::deactivate);
            BackendServiceImpl backend = new BackendServiceImpl(launcher, tracker, tracker, s);
            backend.setDefaultCommand(sample);
            Path watched = Files.createDirectories(Build.repoRoot()
                    .resolve("tests/dev.portolan.detect.tests/target/reload-single-" + System.nanoTime()));
            Files.writeString(watched.resolve("app.py"), "v0");
            LaunchSpec spec = LaunchSpec.builder(sample.command())
                    .env(EnvironmentVariables.PORTOLAN_PORT_RANGE, range.toString())
                    .announcementTimeout(Duration.ofSeconds(60)).reloadOn(List.of(watched)).build();

            EndpointStatus up = Await.result(backend.start(spec), Duration.ofSeconds(90), "the sidecar started");
            closer.add(() -> Await.result(backend.stop(), Fixtures.WAIT, "sidecar stopped"));
            assertEquals(EndpointState.AVAILABLE, up.state(), up.toString());
            LaunchHandle h = backend.sidecar().orElseThrow();
            long pidBefore = h.pid().orElseThrow();
            ApiClient api = new ApiClientImpl(tracker, s, Duration.ofSeconds(10), Duration.ofSeconds(60));
            assertEquals(200, api.call("GET", "/v1/echo", null).status());

            // while the instance shows RELOADING, eight idempotent calls start; none may fail
            ExecutorService callers = Executors.newFixedThreadPool(8);
            closer.add(callers::shutdownNow);
            List<CompletableFuture<ApiClient.ApiResponse>> calls = new ArrayList<>();
            CompletableFuture<List<InstanceStatus>> reloading = new CompletableFuture<>();
            Await.Recorder<List<InstanceStatus>> seen = new Await.Recorder<>();
            Subscription sub = tracker.addInstanceListener(list -> {
                seen.accept(list);
                if (list.stream().anyMatch(i -> i.state() == InstanceState.RELOADING) && reloading.complete(list)) {
                    synchronized (calls) {
                        for (int i = 0; i < 8; i++) {
                            calls.add(CompletableFuture.supplyAsync(() -> call(api), callers));
                        }
                    }
                }
            });
            closer.add(sub::close);
            CompletableFuture<SidecarAnnouncement> next = new CompletableFuture<>();
            closer.add(h.addListener(new dev.portolan.api.launch.SidecarListener() {
                @Override
                public void announced(LaunchHandle lh, SidecarAnnouncement a) {
                    if (a.pid() != pidBefore) {
                        next.complete(a);
                    }
                }
            }));

            Files.writeString(watched.resolve("app.py"), "v1");

            List<InstanceStatus> during = Await.result(reloading, Fixtures.WAIT, "the instance shown as RELOADING");
            assertEquals(1, during.size(), during.toString());
            SidecarAnnouncement a = Await.result(next, Duration.ofSeconds(60), "the reloaded sidecar's announcement");
            assertNotEquals(pidBefore, a.pid(), "a new process");
            List<CompletableFuture<ApiClient.ApiResponse>> made;
            synchronized (calls) {
                made = List.copyOf(calls);
            }
            assertEquals(8, made.size());
            for (CompletableFuture<ApiClient.ApiResponse> c : made) {
                ApiClient.ApiResponse r = Await.result(c, Duration.ofSeconds(60), "a call made during the reload");
                assertEquals(200, r.status(), "an idempotent call made during the reload");
                assertEquals(a.announcement().port(), r.endpoint().port(), "served by the reloaded sidecar");
            }
            seen.await(list -> list.size() == 1 && list.get(0).state() == InstanceState.HEALTHY
                    && list.get(0).endpoint().port() == a.announcement().port(), Fixtures.WAIT,
                    "the instance healthy again");
            assertTrue(!h.state().isTerminal() && h.failure().isEmpty(), h.state() + " " + h.failure());
        }
    }

    private static ApiClient.ApiResponse call(ApiClient api) {
        try {
            return api.call("GET", "/v1/echo", null);
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }
}
