package dev.portolan.feed.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import dev.portolan.api.feed.EventFeed;
import dev.portolan.api.feed.FeedAddress;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registry;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.core.registry.InstanceCheck;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.tests.common.StateIsolation;

/**
 * The feed in the real local registry (service {@code portolan-feed}): registered while it runs with its token (only
 * there: a 0600 file), proving its identity to a registry challenge like a backend, removed when it stops.
 */
class FeedRegistryTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    @BeforeAll
    static void isolate() {
        StateIsolation.isolate();
    }

    static Registry localRegistry() throws Exception {
        BundleContext ctx = OsgiServices.context(FeedRegistryTest.class);
        OsgiServices.await(FeedRegistryTest.class, Registry.class, WAIT);
        Collection<ServiceReference<Registry>> refs = ctx.getServiceReferences(Registry.class,
                "(" + Registry.ID_PROPERTY + "=local)");
        assertEquals(1, refs.size(), "one local registry");
        return ctx.getService(refs.iterator().next());
    }

    @Test
    void theFeedIsRegisteredLocallyWithItsTokenProvesItsIdentityAndIsRemovedOnStop() throws Exception {
        Registry registry = localRegistry();
        EventFeed feed = OsgiServices.await(FeedRegistryTest.class, EventFeed.class, WAIT);
        CompletableFuture<RegistryEvent> registered = new CompletableFuture<>();
        CompletableFuture<RegistryEvent> deregistered = new CompletableFuture<>();
        var watch = registry.watch(EventFeed.SERVICE_NAME, e -> {
            if (e.kind() == RegistryEvent.Kind.REGISTERED) {
                registered.complete(e);
            } else if (e.kind() == RegistryEvent.Kind.DEREGISTERED) {
                deregistered.complete(e);
            }
        });
        try {
            FeedAddress a = feed.start();
            try {
                Await.result(registered, WAIT, "the feed's REGISTERED event");
                List<InstanceEntry> entries = registry.list(EventFeed.SERVICE_NAME);
                assertEquals(1, entries.size(), entries.toString());
                InstanceEntry e = entries.get(0);
                assertEquals("feed-" + ProcessHandle.current().pid(), e.instanceId());
                assertEquals(a.port(), e.port());
                assertEquals("http://127.0.0.1:" + a.port(), e.url().toString());
                assertEquals(ProcessHandle.current().pid(), e.pid());
                List<String> executed = List.of(Files.readString(Path.of("/proc/self/cmdline")).split("\0"));
                assertEquals(executed, e.command(), "the front end's command line exactly as executed, as"
                        + " ./portolan list shows it");
                assertEquals(List.of(ProcessHandle.current().info().arguments().orElseThrow()),
                        e.command().subList(1, e.command().size()), "the arguments the JDK reports: " + e);
                assertEquals(a.token(), e.apiToken(), "the local registry (0600 files) carries the token");
                assertNotNull(e.identity(), "an identity, so that clients verify the feed before sending the token");

                InstanceCheck.Result check = Await.result(InstanceCheck.checkAsync(e, WAIT), WAIT, "challenge");
                assertTrue(check.trusted(), "the feed answers the registry challenge with its key: " + check);
                InstanceEntry copied = new InstanceEntry(e.schema(), e.service(), e.instanceId(), e.url(), e.host(),
                        e.port(), e.pid(), e.processStart(), e.mode(), e.version(), e.startedAt(), e.command(),
                        dev.portolan.api.registry.InstanceIdentity.ed25519(new byte[32]), null);
                assertTrue(!Await.result(InstanceCheck.checkAsync(copied, WAIT), WAIT, "wrong key").verified(),
                        "a signature is checked against the entry's key");
                HttpResponse<String> health = WsClient.HTTP.send(HttpRequest.newBuilder(e.healthUrl()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, health.statusCode());
                assertTrue(!health.body().contains(a.token()), "health never shows the token");
            } finally {
                feed.stop();
            }
            Await.result(deregistered, WAIT, "the feed's DEREGISTERED event");
            assertEquals(List.of(), registry.list(EventFeed.SERVICE_NAME), "the entry is gone when the feed stops");
        } finally {
            watch.close();
        }
    }
}
