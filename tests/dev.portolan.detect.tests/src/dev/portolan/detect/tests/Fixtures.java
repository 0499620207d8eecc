package dev.portolan.detect.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.util.tracker.ServiceTracker;

import dev.portolan.api.PortRange;
import dev.portolan.api.discovery.DetectionContext;
import dev.portolan.api.discovery.DetectorStrategy;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.core.internal.DiscoveryServiceImpl;
import dev.portolan.core.internal.EndpointTrackerImpl;
import dev.portolan.core.internal.SettingsServiceImpl;
import dev.portolan.registry.internal.LocalRegistry;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.tests.common.StateIsolation;
import dev.portolan.tests.common.TestPorts;

/** Shared helpers of the detect tests; ports from this module's band 22500-22999. */
final class Fixtures {

    static {
        StateIsolation.isolate();
    }

    static final TestPorts PORTS = new TestPorts(22500, 22999);
    static final Duration WAIT = Duration.ofSeconds(20);

    private Fixtures() {
    }

    static void init() {
        StateIsolation.isolate();
    }

    /** A local registry in a fresh runtime directory under {@code target/}; the caller closes it. */
    static LocalRegistry localRegistry() throws IOException {
        Path base = Files.createDirectories(Path.of(System.getProperty("user.dir"), "target"));
        return new LocalRegistry(Files.createTempDirectory(base, "runtime-"));
    }

    /**
     * A tracker (not activated) without discovery strategies over a range of two ports of its own: its endpoints come
     * from the registries it is given.
     */
    static EndpointTrackerImpl trackerWithoutStrategies() {
        int first = PORTS.block(2);
        SettingsServiceImpl settings = new SettingsServiceImpl(Map.of("PORTOLAN_PORT_RANGE", first + "-" + (first + 1)));
        return new EndpointTrackerImpl(new DiscoveryServiceImpl(settings, List.of()), settings);
    }

    /** The built-in strategy registered with {@code portolan.strategy=name}. */
    static DetectorStrategy strategy(String name) {
        BundleContext ctx = OsgiServices.context(Fixtures.class);
        try {
            ServiceTracker<DetectorStrategy, DetectorStrategy> t = new ServiceTracker<>(ctx,
                    ctx.createFilter("(&(objectClass=" + DetectorStrategy.class.getName() + ")(portolan.strategy="
                            + name + "))"),
                    null);
            t.open();
            DetectorStrategy s = t.waitForService(WAIT.toMillis());
            if (s == null) {
                throw new AssertionError("no DetectorStrategy service with portolan.strategy=" + name);
            }
            return s;
        } catch (InvalidSyntaxException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static DetectionContext context(PortRange range, String token) {
        return new DetectionContext(range, Optional.ofNullable(token), Instant.now().plusSeconds(10), false);
    }

    static PortolanSettings settings(PortRange range, Integer overridePort, Duration timeout, Duration interval) {
        return new PortolanSettings(range, timeout, interval, false, overridePort, List.of(), null, false);
    }
}
