package dev.portolan.detect.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.portolan.api.Endpoint;
import dev.portolan.api.discovery.ApiClient;
import dev.portolan.api.discovery.ApiException;
import dev.portolan.api.discovery.InstanceState;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.core.internal.ApiClientImpl;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.Closer;

/**
 * Calls during a reload (issue 15): a real sample backend is reloaded through its launch handle ({@code RELOADING},
 * a graceful restart); the launcher's events reach the tracker the way the backend service's instance pool passes them
 * on ({@code instanceReloading}, then the new incarnation's {@code acceptInstance}). The test holds the new
 * announcement back until it has checked what happens meanwhile, so the reload window is as long as it needs: eight
 * concurrent GETs wait and then all succeed on the reloaded instance, a POST fails at once naming the reload, and a
 * client with a short reload limit gives up with a message saying so.
 */
class ReloadCallsTest {

    static {
        Fixtures.init();
    }

    private final Closer closeables = new Closer();

    @AfterEach
    void tearDown() throws Exception {
        closeables.close();
    }

    @Test
    void idempotentCallsWaitForTheReloadAndOthersFailNamingIt() throws Exception {
        InstanceFleet f = new InstanceFleet(1, Map.of(), List.of(1));
        closeables.add(f);
        f.awaitAllHealthy();
        InstanceFleet.Member m = f.member(1);
        CompletableFuture<SidecarAnnouncement> reannounced = new CompletableFuture<>();
        closeables.add(m.handle().addListener(new SidecarListener() {
            @Override
            public void stateChanged(LaunchHandle h, SidecarState from, SidecarState to) {
                if (to == SidecarState.RELOADING) {
                    f.tracker.instanceReloading(m.id()); // as the instance pool does
                }
            }

            @Override
            public void announced(LaunchHandle h, SidecarAnnouncement a) {
                reannounced.complete(a); // passed on by the test once it has looked at the calls meanwhile
            }
        }));
        ApiClient impatient = new ApiClientImpl(f.tracker, f.settings,
                Duration.ofSeconds(10), Duration.ofMillis(300));
        ApiClient patient = new ApiClientImpl(f.tracker, f.settings,
                Duration.ofSeconds(10), Duration.ofSeconds(60));

        CompletableFuture<SidecarAnnouncement> reload = m.handle().reload();
        f.instances.await(l -> l.size() == 1 && l.get(0).state() == InstanceState.RELOADING, Fixtures.WAIT,
                "the instance shown as reloading");

        ExecutorService pool = Executors.newFixedThreadPool(8);
        closeables.add(pool::shutdownNow);
        List<CompletableFuture<ApiClient.ApiResponse>> gets = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            gets.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return patient.call("GET", "/v1/echo", null);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }, pool));
        }
        ApiException.NoBackendException post = assertThrows(ApiException.NoBackendException.class,
                () -> patient.call("POST", "/v1/echo", "{}"));
        assertTrue(post.getMessage().contains("POST /v1/echo not sent: instance " + m.id())
                && post.getMessage().contains("is reloading") && post.getMessage().contains("not idempotent"),
                post.getMessage());
        ApiException.NoBackendException late = assertThrows(ApiException.NoBackendException.class,
                () -> impatient.call("GET", "/v1/echo", null));
        assertTrue(late.getMessage().contains("waited 300 ms for the reload of instance " + m.id()),
                late.getMessage());
        assertFalse(gets.stream().anyMatch(CompletableFuture::isDone), "the GETs wait while the instance reloads");

        SidecarAnnouncement a = Await.result(reannounced, Fixtures.WAIT, "the reloaded instance's announcement");
        Endpoint e = Endpoint.of(a.announcement(), "announcement", a.verified()).withSource("announcement",
                a.verification());
        f.tracker.acceptInstance(m.id(), m.index(), e, m.handle().credentials(), a.restartCount());
        for (CompletableFuture<ApiClient.ApiResponse> g : gets) {
            ApiClient.ApiResponse r = Await.result(g, Fixtures.WAIT, "a GET held during the reload");
            assertEquals(200, r.status());
            assertEquals(e.baseUrl(), r.endpoint().baseUrl(), "served by the reloaded instance");
        }
        assertNotEquals(m.pid(), a.pid(), "a new process");
        Await.result(reload, Fixtures.WAIT, "reload");
        assertEquals(200, patient.call("POST", "/v1/echo", "{}").status(), "after the reload POST goes through");
    }
}
