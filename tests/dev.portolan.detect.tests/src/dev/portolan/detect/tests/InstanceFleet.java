package dev.portolan.detect.tests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.PortRange;
import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.InstanceState;
import dev.portolan.api.discovery.InstanceStatus;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.RestartPolicy;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.core.internal.ApiClientImpl;
import dev.portolan.core.internal.DiscoveryServiceImpl;
import dev.portolan.core.internal.EndpointTrackerImpl;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.OsgiServices;

/**
 * N real sample backends launched through the OSGi {@link SidecarLauncher} (each with its own port, identity key and
 * API token, {@code PORTOLAN_INSTANCE_ID=default-<i>}), fed to a tracker of their own through
 * {@link EndpointTrackerImpl#acceptInstance} with the real launch credentials, the way the backend service feeds it,
 * and an API client on that tracker. The tracker's discovery has no strategies: everything it knows comes from the
 * instances. Health checks every 200 ms. Optional per-instance environment: {@code PORTOLAN_SAMPLE_DELAY_MS} (a slow
 * instance) and a fault file ({@code PORTOLAN_SAMPLE_FAULT_FILE}: 503 while it exists).
 */
final class InstanceFleet implements AutoCloseable {

    static final Duration HEALTH_INTERVAL = Duration.ofMillis(200);

    /** One launched instance. */
    record Member(String id, int index, LaunchHandle handle, Endpoint endpoint, BackendCredentials credentials,
            long pid, Path faultFile) {

        /** SIGKILLs the backend process and waits until it is gone. */
        void kill() throws Exception {
            ProcessHandle p = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
            Process k = new ProcessBuilder("kill", "-9", Long.toString(pid)).start();
            if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
                throw new AssertionError("kill -9 " + pid + " failed");
            }
            p.onExit().get(30, TimeUnit.SECONDS);
        }

        /** Makes every request of this instance answer 503 ({@code true}) or work again. */
        void failing(boolean on) throws Exception {
            if (on) {
                Files.writeString(faultFile, "503");
            } else {
                Files.deleteIfExists(faultFile);
            }
        }
    }

    final EndpointTrackerImpl tracker;
    final SettingsService settings;
    final ApiClientImpl api;
    final List<Member> members = new ArrayList<>();
    final Await.Recorder<List<InstanceStatus>> instances = new Await.Recorder<>();
    private final Subscription listening;

    /**
     * Launches {@code n} instances; {@code env} may add environment to an instance by index (1-based).
     *
     * @param order the order their announcements are given to the tracker (indexes)
     */
    InstanceFleet(int n, Map<Integer, Map<String, String>> env, List<Integer> order) throws Exception {
        this(n, env, order, HEALTH_INTERVAL);
    }

    /** @param healthInterval how often the tracker checks each instance */
    InstanceFleet(int n, Map<Integer, Map<String, String>> env, List<Integer> order, Duration healthInterval)
            throws Exception {
        int first = Fixtures.PORTS.block(3 * n);
        PortRange range = new PortRange(first, first + 3 * n - 1);
        PortolanSettings ps = Fixtures.settings(range, null, Duration.ofSeconds(2), healthInterval);
        settings = new FixedSettings(ps);
        tracker = new EndpointTrackerImpl(new DiscoveryServiceImpl(settings, List.of()), settings);
        tracker.activate();
        api = new ApiClientImpl(tracker, settings, Duration.ofSeconds(10));
        listening = tracker.addInstanceListener(instances::accept);
        SidecarLauncher launcher = OsgiServices.await(InstanceFleet.class, SidecarLauncher.class, Fixtures.WAIT);
        Path faults = Build.repoRoot().resolve("tests/dev.portolan.detect.tests/target/instance-faults");
        Files.createDirectories(faults);
        List<LaunchHandle> handles = new ArrayList<>();
        List<Path> faultFiles = new ArrayList<>();
        try {
            for (int i = 1; i <= n; i++) {
                Path fault = faults.resolve("fault-" + first + "-" + i);
                Files.deleteIfExists(fault);
                LaunchSpec.Builder b = LaunchSpec.builder(SampleBackend.command())
                        .env("PORTOLAN_PORT_RANGE", range.toString()).env("PORTOLAN_INSTANCE_ID", "default-" + i)
                        .env("PORTOLAN_SAMPLE_FAULT_FILE", fault.toString())
                        .announcementTimeout(Duration.ofSeconds(60)).restartPolicy(RestartPolicy.NEVER);
                env.getOrDefault(i, Map.of()).forEach(b::env);
                handles.add(launcher.launch(b.build()));
                faultFiles.add(fault);
            }
            for (int i = 1; i <= n; i++) {
                LaunchHandle h = handles.get(i - 1);
                SidecarAnnouncement a = Await.result(h.announcement(), Duration.ofSeconds(90), "instance " + i);
                Endpoint e = Endpoint.of(a.announcement(), "announcement", a.verified()).withSource("announcement",
                        a.verification());
                long pid = a.announcement().pid() != null ? a.announcement().pid() : a.pid();
                members.add(new Member("default-" + i, i, h, e.pid() == null ? e.withPid(pid) : e, h.credentials(),
                        pid, faultFiles.get(i - 1)));
            }
        } catch (Exception | AssertionError e) {
            handles.forEach(h -> h.stop());
            close();
            throw e;
        }
        for (int i : order) {
            Member m = member(i);
            tracker.acceptInstance(m.id(), m.index(), m.endpoint(), m.credentials(), 0);
        }
    }

    Member member(int index) {
        return members.get(index - 1);
    }

    /** Waits until the set shows every instance healthy and verified (after at least one health check each). */
    List<InstanceStatus> awaitAllHealthy() {
        return instances.await(l -> l.size() == members.size() && l.stream().allMatch(
                s -> s.state() == InstanceState.HEALTHY && s.endpoint().verified() && s.lastCheck() != null),
                Fixtures.WAIT, "every instance checked healthy and verified");
    }

    /** Waits until the instance is in {@code state}. */
    InstanceStatus awaitState(String id, InstanceState state) {
        return instances.await(l -> l.stream().anyMatch(s -> s.instanceId().equals(id) && s.state() == state),
                Fixtures.WAIT, id + " " + state).stream().filter(s -> s.instanceId().equals(id)).findFirst()
                .orElseThrow();
    }

    /** Calls {@code call} for every instance that still runs. */
    void forEachRunning(Consumer<Member> call) {
        members.stream().filter(m -> !m.handle().state().isTerminal()).forEach(call);
    }

    @Override
    public void close() {
        if (listening != null) {
            listening.close();
        }
        for (Member m : members) {
            try {
                m.failing(false);
                Await.result(m.handle().stop(), Fixtures.WAIT, "stop " + m.id());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        api.balancer().close();
        tracker.deactivate();
    }

    /** Fixed settings for a tracker of its own (the OSGi settings service stays untouched). */
    record FixedSettings(PortolanSettings value) implements SettingsService {
        @Override
        public PortolanSettings effective() {
            return value;
        }

        @Override
        public PortolanSettings configured() {
            return value;
        }

        @Override
        public void update(PortolanSettings settings) {
            throw new UnsupportedOperationException("fixed settings");
        }

        @Override
        public Map<String, String> environmentOverrides() {
            return Map.of();
        }

        @Override
        public List<String> problems() {
            return List.of();
        }

        @Override
        public Subscription addListener(Consumer<PortolanSettings> listener) {
            return Subscription.NONE;
        }
    }
}
