package dev.portolan.ports.internal;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.SubscriptionSlot;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.metrics.PortolanMetrics;
import dev.portolan.api.ports.PortAllocationException;
import dev.portolan.api.ports.PortFinder;
import dev.portolan.api.ports.PortLease;
import dev.portolan.api.ports.PortRequest;
import dev.portolan.api.ports.PortReservation;
import dev.portolan.ports.BindingPortFinder;
import dev.portolan.ports.ServerBinder;

/**
 * The port finder: scans the request's range with a real bind on 127.0.0.1 (by the caller's {@link ServerBinder}
 * when given), requires the port to be free on [::1] as well (held there too, bound but not listening and without
 * {@code SO_REUSEADDR}, so that nobody can take the IPv6 loopback twin while the reservation is held and a client
 * trying {@code localhost} as ::1 first is refused at once rather than left hanging), takes the per-user cross-process lock
 * file, and falls back to an OS-assigned port. {@code API_PORT} forces a port. Ports handed out by number
 * ({@link #findFreePort}, {@link #lease}) stay leased ({@link PortLeases}). The kernel reports wildcard and
 * dual-stack ({@code [::]}) conflicts as a failed bind. Ports held by reservations of this class loader are never
 * handed out twice.
 */
@Component(service = { PortFinder.class, BindingPortFinder.class }, property = "service.ranking:Integer=0")
public final class LoopbackPortFinder implements BindingPortFinder {

    /** Ports held by open reservations in this process (class loader). */
    static final Set<Integer> HELD = ConcurrentHashMap.newKeySet();
    /** {@code DEBUG_PORT_DISCOVERY} of this process, read when first needed (a fresh JVM's first getenv parses it all). */
    private static volatile Boolean debugFromProcess;

    private final LockDirectory locks;
    private final Boolean debug;
    /** The front end's {@code debug} setting (issue 12: one source of settings), when a settings service is bound. */
    private volatile boolean debugSetting;
    private final SubscriptionSlot settingsSubscription = new SubscriptionSlot();
    /** Counts lock contention (issue 16); optional, so that the finder never depends on a metrics library. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PortolanMetrics metrics;

    /** The DS constructor: default lock directory, debug from {@code DEBUG_PORT_DISCOVERY}. */
    public LoopbackPortFinder() {
        this(new LockDirectory(LockDirectory.defaultPath()), null);
    }

    /** @param locks the lock directory, {@code null} for none; @param debug {@code null}: from the environment */
    public LoopbackPortFinder(LockDirectory locks, Boolean debug) {
        this.locks = locks;
        this.debug = debug;
    }

    /**
     * In a front end, the {@code debug} setting of the one {@link SettingsService} switches probe logging on too (as
     * {@code DEBUG_PORT_DISCOVERY} does), and follows the preference while the tool runs.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setSettings(SettingsService settings) {
        settingsSubscription.replace(settings, settings.addListener(effective -> debugSetting = effective.debug()));
    }

    void unsetSettings(SettingsService settings) {
        if (settingsSubscription.clear(settings)) { // not when a greedy replacement was bound first
            debugSetting = false;
        }
    }

    /** The lock directory in use, or {@code null}. */
    public LockDirectory lockDirectory() {
        return locks;
    }

    @Override
    public PortReservation reserve(PortRequest request) throws PortAllocationException {
        return new ChannelReservation(reserve(request, ServerBinder.channel()));
    }

    /** The port stays leased for {@link PortLeases#NUMBER_LEASE} (docs/ports.md, "Leases"). */
    @Override
    public int findFreePort(PortRequest request) throws PortAllocationException {
        return lease(request, PortLeases.NUMBER_LEASE).port();
    }

    @Override
    public PortLease lease(PortRequest request, Duration duration) throws PortAllocationException {
        return PortLeases.lease(reserve(request, ServerBinder.channel()), duration);
    }

    @Override
    public <S> Held<S> reserve(PortRequest request, ServerBinder<S> binder) throws PortAllocationException {
        return new PortScan<>(request, binder, debugFor(request), locks, metrics).run();
    }

    /** The request's environment or the process's, or the debug setting: any one switches probe logging on. */
    private boolean debugFor(PortRequest request) {
        if (debug != null) {
            return debug;
        }
        Map<String, String> env = request.environment() != null ? request.environment() : Map.of();
        return EnvironmentVariables.isTrue(env.get(EnvironmentVariables.DEBUG_PORT_DISCOVERY)) || debugFromProcess()
                || debugSetting;
    }

    private static boolean debugFromProcess() {
        Boolean on = debugFromProcess;
        if (on == null) {
            on = EnvironmentVariables.isTrue(System.getenv(EnvironmentVariables.DEBUG_PORT_DISCOVERY));
            debugFromProcess = on;
        }
        return on;
    }
}
