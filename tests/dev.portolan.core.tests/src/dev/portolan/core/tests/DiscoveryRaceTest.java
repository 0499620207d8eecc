package dev.portolan.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

import dev.portolan.api.Endpoint;
import dev.portolan.api.discovery.DetectionException;
import dev.portolan.api.discovery.DiscoveryResult;
import dev.portolan.api.discovery.DiscoveryService;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.discovery.StrategyOutcome.Result;
import dev.portolan.api.discovery.StrategyOutcome;
import dev.portolan.core.discovery.HealthProbe;
import dev.portolan.core.internal.DiscoveryServiceImpl;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.tests.common.StateIsolation;
import dev.portolan.tests.common.TestBackend;
import dev.portolan.tests.common.TestPorts;
import dev.portolan.tests.common.TestStrategies;

/**
 * Race semantics of the discovery service from the OSGi registry, with strategies plugged in as services (the
 * whiteboard): first success wins, the rest are interrupted; timeouts name every strategy; requests made during a run share one follow-up run.
 */
class DiscoveryRaceTest {

    static {
        StateIsolation.isolate();
    }

    static final TestPorts PORTS = new TestPorts(22100, 22199);
    static final Duration WAIT = Duration.ofSeconds(20);

    private final BundleContext context = OsgiServices.context(DiscoveryRaceTest.class);
    private final DiscoveryService discovery = OsgiServices.await(DiscoveryRaceTest.class, DiscoveryService.class, WAIT);
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    @AfterEach
    void unregister() {
        registrations.forEach(ServiceRegistration::unregister);
    }

    private void register(String name, int ranking, TestStrategies.Body body) {
        registrations.add(TestStrategies.register(context, name, ranking, body));
    }

    private static StrategyOutcome outcome(DiscoveryResult r, String name) {
        return r.outcomes().stream().filter(o -> o.strategy().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no outcome for " + name + " in " + r.outcomes()));
    }

    @Test
    void aTimeoutThatIsNotPositiveOrTooLongFailsNamingIt() {
        for (Duration bad : List.of(Duration.ZERO, Duration.ofSeconds(-1), Duration.ofDays(1).plusMillis(1),
                Duration.ofDays(365L * 300))) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> discovery.discover(bad).get(WAIT.toMillis(), TimeUnit.MILLISECONDS), bad.toString());
            assertInstanceOf(IllegalArgumentException.class, e.getCause(), bad.toString());
            assertTrue(e.getCause().getMessage().contains(bad.toString()), e.getCause().getMessage());
        }
    }

    @Test
    void aFastFailureDoesNotWinASlowSuccessDoesAndTheRestIsInterrupted() throws Exception {
        try (TestBackend backend = TestBackend.start(PORTS.one(), "race-token")) {
            CountDownLatch fastFailed = new CountDownLatch(1);
            CompletableFuture<Boolean> loserInterrupted = new CompletableFuture<>();
            register("fast-fail", 50, ctx -> {
                fastFailed.countDown();
                throw new DetectionException("nothing here");
            });
            register("slow-success", 40, ctx -> {
                // finishes only after the fast one failed: a Promise.race would have picked the failure
                if (!fastFailed.await(10, TimeUnit.SECONDS)) {
                    throw new DetectionException("fast-fail never ran");
                }
                HealthProbe.Result r = HealthProbe.probe(backend.baseUrl().resolve("/health"),
                        Optional.of("race-token"), Duration.ofSeconds(2));
                if (!r.verified()) {
                    throw new DetectionException(r.detail());
                }
                return Endpoint.at("127.0.0.1", backend.port(), "slow-success", true);
            });
            register("never", 30, ctx -> {
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    loserInterrupted.complete(true);
                    throw e;
                }
                return null;
            });
            DiscoveryResult r = Await.result(discovery.discover(Duration.ofSeconds(15)), WAIT, "discovery");
            assertEquals(backend.port(), r.endpoint().orElseThrow(() -> new AssertionError(r.failureSummary())).port());
            assertEquals("slow-success", r.endpoint().get().source());
            assertFalse(r.timedOut());
            assertEquals(Result.WON, outcome(r, "slow-success").result());
            assertEquals(Result.FAILED, outcome(r, "fast-fail").result());
            assertEquals("nothing here", outcome(r, "fast-fail").message());
            assertEquals(Result.CANCELLED, outcome(r, "never").result());
            assertEquals("cancelled: slow-success won", outcome(r, "never").message());
            assertTrue(Await.result(loserInterrupted, WAIT, "the losing strategy's thread is interrupted"));
        }
    }

    @Test
    void timeoutSaysWhichStrategiesFailedAndWhy() {
        register("stuck", 20, ctx -> {
            new CountDownLatch(1).await();
            return null;
        });
        register("not-here", 10, ctx -> {
            throw DetectionException.notApplicable("no sidecar was launched");
        });
        register("broken", 5, ctx -> {
            throw new DetectionException("port 22199 answered HTTP 500");
        });
        // generous: the two failing strategies must have run before the deadline, even on two busy cores
        DiscoveryResult r = Await.result(discovery.discover(Duration.ofSeconds(3)), WAIT, "discovery");
        assertTrue(r.timedOut());
        assertTrue(r.endpoint().isEmpty());
        assertEquals(Result.TIMED_OUT, outcome(r, "stuck").result());
        assertTrue(outcome(r, "stuck").message().contains("3000 ms"), outcome(r, "stuck").message());
        assertEquals(Result.NOT_APPLICABLE, outcome(r, "not-here").result());
        assertEquals(Result.FAILED, outcome(r, "broken").result());
        String summary = r.failureSummary();
        assertTrue(summary.startsWith("discovery timed out after "), summary);
        for (String s : List.of("stuck: still running", "not-here: no sidecar was launched",
                "broken: port 22199 answered HTTP 500")) {
            assertTrue(summary.contains(s), summary);
        }
        // higher service.ranking first
        List<String> order = r.outcomes().stream().map(StrategyOutcome::strategy).filter(n -> List.of("stuck",
                "not-here", "broken").contains(n)).toList();
        assertEquals(List.of("stuck", "not-here", "broken"), order);
    }

    @Test
    void everyStrategyFailingEndsTheRunWithoutWaitingForTheTimeout() {
        register("no-1", 0, ctx -> {
            throw new DetectionException("first reason");
        });
        register("no-2", 0, ctx -> {
            throw new DetectionException("second reason");
        });
        DiscoveryResult r = Await.result(discovery.discover(Duration.ofSeconds(30)), WAIT, "discovery");
        assertFalse(r.timedOut());
        assertTrue(r.endpoint().isEmpty());
        assertTrue(r.failureSummary().contains("no-1: first reason"), r.failureSummary());
        assertTrue(r.failureSummary().contains("no-2: second reason"), r.failureSummary());
    }

    @Test
    void requestsDuringARunShareOneFollowUpRunThatStartsAfterThem() throws Exception {
        try (TestBackend backend = TestBackend.start(PORTS.one(), null)) {
            CountDownLatch entered1 = new CountDownLatch(1);
            CountDownLatch release1 = new CountDownLatch(1);
            CountDownLatch entered2 = new CountDownLatch(1);
            CountDownLatch release2 = new CountDownLatch(1);
            AtomicInteger calls = new AtomicInteger();
            register("gate", 0, ctx -> {
                if (calls.incrementAndGet() == 1) {
                    entered1.countDown();
                    release1.await();
                } else {
                    entered2.countDown();
                    release2.await();
                }
                return Endpoint.at("127.0.0.1", backend.port(), "gate", false);
            });
            int runsBefore = ((DiscoveryServiceImpl) discovery).runCount();
            CompletableFuture<DiscoveryResult> early = discovery.discover(Duration.ofSeconds(15));
            assertTrue(entered1.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the first run never started");
            // asked while the first run is in progress: it began before them, so they must not get its result
            List<CompletableFuture<DiscoveryResult>> late = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                late.add(discovery.discover(Duration.ofSeconds(15)));
            }
            assertEquals(runsBefore + 1, ((DiscoveryServiceImpl) discovery).runCount(), "no second run yet");
            release1.countDown();
            DiscoveryResult first = Await.result(early, WAIT, "the first discovery");
            // the one follow-up run starts once the first ended, and serves every late request
            assertTrue(entered2.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "no follow-up run");
            for (CompletableFuture<DiscoveryResult> f : late) {
                assertFalse(f.isDone(), "a late request was answered by the run that began before it");
            }
            release2.countDown();
            DiscoveryResult second = Await.result(late.get(0), WAIT, "the follow-up discovery");
            assertNotSame(first, second);
            for (CompletableFuture<DiscoveryResult> f : late) {
                assertSame(second, Await.result(f, WAIT, "coalesced discovery"));
            }
            assertEquals(2, calls.get());
            assertEquals(runsBefore + 2, ((DiscoveryServiceImpl) discovery).runCount());
        }
    }

    @Test
    void debugFlagLogsStartResultAndElapsedPerStrategyOnStderr() throws Exception {
        SettingsService settings = OsgiServices.await(DiscoveryRaceTest.class, SettingsService.class, WAIT);
        PortolanSettings before = settings.configured();
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (TestBackend backend = TestBackend.start(PORTS.one(), null)) {
            settings.update(copy(before, s -> new PortolanSettings(s.range(), s.discoveryTimeout(),
                    s.healthInterval(), true, s.overridePort(), s.backendCommand(), s.backendDirectory(),
                    s.autoStartBackend())));
            register("dbg-ok", 0, ctx -> Endpoint.at("127.0.0.1", backend.port(), "dbg-ok", false));
            register("dbg-no", 0, ctx -> {
                throw new DetectionException("dbg reason");
            });
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            DiscoveryResult r = Await.result(discovery.discover(), WAIT, "discovery");
            assertTrue(r.endpoint().isPresent(), r.failureSummary());
        } finally {
            System.setErr(err);
            settings.update(before);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("[portolan discovery] dbg-ok: start"), log);
        assertTrue(log.contains("[portolan discovery] dbg-no: start"), log);
        assertTrue(log.matches("(?s).*\\[portolan discovery\\] dbg-ok: (WON|CANCELLED) after [0-9.]+ ms.*"), log);
        assertTrue(log.contains("found http://127.0.0.1:"), log);
    }

    private static PortolanSettings copy(PortolanSettings s, Function<PortolanSettings, PortolanSettings> f) {
        return f.apply(s);
    }

    @SuppressWarnings("unused")
    private static Map<String, Object> none() {
        return Map.of();
    }
}
