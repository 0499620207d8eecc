package dev.portolan.ports.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.portolan.api.Announcement;
import dev.portolan.api.DebugLine;
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
    private static final InetAddress LOOPBACK4 = literal(new byte[] { 127, 0, 0, 1 });
    private static final InetAddress LOOPBACK6 = literal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 });
    private static final int OS_ATTEMPTS = 32;
    private static volatile Boolean ipv6;
    private static final boolean DEBUG_FROM_PROCESS = EnvironmentVariables
            .isTrue(System.getenv(EnvironmentVariables.DEBUG_PORT_DISCOVERY));

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
        settingsSubscription.replace(settings.addListener(effective -> debugSetting = effective.debug()));
    }

    void unsetSettings(SettingsService settings) {
        settingsSubscription.clear();
        debugSetting = false;
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
    public <S> Held<S> reserve(PortRequest request, ServerBinder<S> binder)
            throws PortAllocationException {
        Scan<S> scan = new Scan<>(request, binder);
        String forced = request.environment() == null ? null : request.environment().get(EnvironmentVariables.API_PORT);
        if (forced != null && !forced.isBlank()) {
            return scan.forced(forced);
        }
        PortAttempt.Refused<S> last = null;
        int lastPort = 0;
        for (int port = request.range().first(); port <= request.range().last(); port++) {
            if (request.excluded().contains(port)) {
                scan.debug(port, "excluded");
                continue;
            }
            switch (scan.tryPort(port, true, true)) {
                case Held<S> held -> {
                    return held;
                }
                case PortAttempt.Refused<S> refused -> {
                    last = refused;
                    lastPort = port;
                }
            }
        }
        if (!request.fallbackToOs()) {
            throw new PortAllocationException("no free port in " + request.range() + " on "
                    + scan.address.getHostAddress()
                    + (last == null ? " (all excluded)" : " (last: " + lastPort + ": " + last + ")")
                    + " and the OS-assigned fallback is off");
        }
        return scan.osAssigned(null);
    }

    /** One allocation: the request, the binder and where to log. */
    private final class Scan<S> {
        final PortRequest request;
        final ServerBinder<S> binder;
        final InetAddress address;
        final boolean checkV6;
        final boolean dbg;

        Scan(PortRequest request, ServerBinder<S> binder) {
            this.request = request;
            this.binder = binder;
            this.address = request.bindAddress() != null ? request.bindAddress() : LOOPBACK4;
            this.checkV6 = (request.bindAddress() == null || LOOPBACK4.equals(request.bindAddress()))
                    && ipv6Available();
            // the request's environment or the process's: either one switches probe logging on
            Map<String, String> env = request.environment() != null ? request.environment() : Map.of();
            this.dbg = debug != null ? debug
                    : EnvironmentVariables.isTrue(env.get(EnvironmentVariables.DEBUG_PORT_DISCOVERY))
                            || DEBUG_FROM_PROCESS || debugSetting;
        }

        void debug(int port, String result) {
            if (dbg) {
                DebugLine.print("ports", "probe " + hostPort(address, port) + " -> " + result);
            }
        }

        Held<S> forced(String value) throws PortAllocationException {
            int port;
            try {
                port = Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                throw new PortAllocationException(EnvironmentVariables.API_PORT + "='" + value
                        + "' is not a port number: expected 0-65535 (0 = OS-assigned)");
            }
            if (port < 0 || port > 65535) {
                throw new PortAllocationException(EnvironmentVariables.API_PORT + "=" + value
                        + " is out of range: expected 0-65535 (0 = OS-assigned)");
            }
            if (port == 0) {
                return osAssigned(EnvironmentVariables.API_PORT + "=0");
            }
            if (request.excluded().contains(port)) {
                throw new PortAllocationException(
                        EnvironmentVariables.API_PORT + "=" + value + " names an excluded port");
            }
            PortAttempt<S> r = tryPort(port, false, true);
            if (r instanceof Held<S> held) {
                return held;
            }
            throw new PortAllocationException(EnvironmentVariables.API_PORT + "=" + value + ": port " + port + " is "
                    + r + "; free it, choose another port or unset " + EnvironmentVariables.API_PORT
                    + " (0 = OS-assigned)");
        }

        Held<S> osAssigned(String reason) throws PortAllocationException {
            String last = null;
            for (int i = 0; i < OS_ATTEMPTS; i++) {
                S server;
                try {
                    server = binder.bind(new InetSocketAddress(address, 0));
                } catch (IOException e) {
                    throw new PortAllocationException("cannot bind an OS-assigned port on " + address.getHostAddress()
                            + (reason == null ? "" : " (" + reason + ")") + ": " + e, e);
                }
                int port;
                try {
                    port = binder.localPort(server);
                } catch (IOException e) {
                    binder.close(server);
                    throw new PortAllocationException("cannot read the OS-assigned port: " + e, e);
                }
                if (request.excluded().contains(port) || reason == null && request.range().contains(port)) {
                    binder.close(server);
                    debug(port, "OS-assigned but excluded or in the exhausted range, retrying");
                    continue;
                }
                PortAttempt<S> r = adopt(server, port);
                if (r instanceof Held<S> held) {
                    return held;
                }
                last = port + ": " + r;
            }
            throw new PortAllocationException("no usable OS-assigned port on " + address.getHostAddress() + " after "
                    + OS_ATTEMPTS + " attempts (last: " + last + ")");
        }

        /**
         * The held port, or why it is not usable. The cross-process lock comes before the bind: a port another
         * allocator holds (a lease, whose child binds it any moment) is never bound, not even for a moment.
         */
        PortAttempt<S> tryPort(int port, boolean inRange, boolean lock) {
            if (!HELD.add(port)) {
                debug(port, "held by this process");
                return new PortAttempt.Refused<>("held by this process");
            }
            LockDirectory.PortLock fileLock = LockDirectory.PortLock.NONE;
            S server = null;
            boolean ok = false;
            try {
                if (lock && locks != null) {
                    LockDirectory.Attempt a = locks.tryLock(port);
                    if (a.lock() == null && PortLeases.handedOver(request.environment(), port, a.holder())) {
                        debug(port, "leased to this process (" + PortLease.VARIABLE + ")");
                    } else if (a.lock() == null) {
                        String why = "locked by another Portolan allocator (" + a.holder() + ")";
                        debug(port, why);
                        PortolanMetrics m = metrics;
                        if (m != null) {
                            m.finderLockContended();
                        }
                        return new PortAttempt.Refused<>(why);
                    } else {
                        fileLock = a.lock();
                    }
                }
                try {
                    server = binder.bind(new InetSocketAddress(address, port));
                } catch (IOException e) {
                    return new PortAttempt.Refused<>(new BindFailure(address, dbg, (why, p) -> debug(p, why), port, e));
                }
                PortAttempt<S> r = holdTwin(server, port, inRange, fileLock);
                ok = r instanceof Held<S>;
                return r;
            } finally {
                if (!ok) {
                    if (server != null) {
                        binder.close(server);
                    }
                    fileLock.release();
                    HELD.remove(port);
                }
            }
        }

        /** An OS-assigned port, bound: the in-process entry and the [::1] twin (no lock file). */
        PortAttempt<S> adopt(S server, int port) {
            if (!HELD.add(port)) {
                binder.close(server);
                debug(port, "held by this process");
                return new PortAttempt.Refused<>("held by this process");
            }
            PortAttempt<S> r = holdTwin(server, port, false, LockDirectory.PortLock.NONE);
            if (!(r instanceof Held<S>)) {
                binder.close(server);
                HELD.remove(port);
            }
            return r;
        }

        /** The server is bound on {@code port}: hold its [::1] twin; the caller cleans up a refusal. */
        private PortAttempt<S> holdTwin(S server, int port, boolean inRange, LockDirectory.PortLock fileLock) {
            SocketChannel v6 = null;
            if (checkV6) {
                try {
                    v6 = holdV6(port);
                } catch (IOException e) {
                    String why = BindFailure.describe(e) + " on ::1";
                    debug(port, why);
                    return new PortAttempt.Refused<>(why);
                }
            }
            debug(port, "reserved" + (inRange ? "" : " (outside the range)"));
            return new Held<>(binder, server, new InetSocketAddress(address, port), inRange, v6, fileLock);
        }
    }

    /**
     * Binds the [::1] twin of {@code port} without listening: a plain TCP socket that is bound but neither listens
     * nor connects. Without {@code SO_REUSEADDR} nobody else can bind [::1]:port while we hold it, and a client that
     * resolves {@code localhost} to ::1 first is refused at once (no listener, so the kernel answers with a reset)
     * and falls back to 127.0.0.1, instead of hanging in a backlog nobody ever accepts from.
     */
    private static SocketChannel holdV6(int port) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.INET6);
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, false);
            ch.bind(new InetSocketAddress(LOOPBACK6, port));
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Whether [::1] can be bound on this machine (checked once). */
    static boolean ipv6Available() {
        Boolean v = ipv6;
        if (v == null) {
            try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
                ch.bind(new InetSocketAddress(LOOPBACK6, 0));
                v = true;
            } catch (IOException | UnsupportedOperationException e) {
                PortsLog.get().log(Level.DEBUG, "no IPv6 loopback (" + e + "): ports are checked on 127.0.0.1 only");
                v = false;
            }
            ipv6 = v;
        }
        return v;
    }

    static String hostPort(InetAddress a, int port) {
        return Announcement.authority(a.getHostAddress(), port);
    }

    private static InetAddress literal(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static void closeQuietly(SocketChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to release
            }
        }
    }
}
