package dev.portolan.launch.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.portolan.api.IpLiteral;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.core.registry.RemoteInstances;

/**
 * ANNOUNCED → RUNNING: connects to an announced loopback port a few times (backing off from 50 ms, on the worker,
 * never sleeping) and reports the first successful connect. The host is a loopback literal, or {@code localhost} where
 * the system's resolver sends it when that is a loopback address; nothing else is probed.
 */
final class ReadinessProbe {

    private static final int MAX_ATTEMPTS = 5;
    private static final int CONNECT_TIMEOUT_MS = 200;

    private final SidecarEngine engine;

    ReadinessProbe(SidecarEngine engine) {
        this.engine = engine;
    }

    /**
     * @param stillWanted checked before each attempt (the caller's lock is taken there, not here)
     * @param serving     run once the port accepted a connection
     */
    void probe(SidecarAnnouncement sa, BooleanSupplier stillWanted, Runnable serving) {
        // the trust rule's loopback (a literal, or localhost): any other name is never looked up
        if (RemoteInstances.isLoopback(sa.announcement().url())) {
            attempt(sa.announcement().url().getHost(), sa.announcement().port(), stillWanted, serving, 0);
        }
    }

    private void attempt(String host, int port, BooleanSupplier stillWanted, Runnable serving, int attempt) {
        if (attempt > MAX_ATTEMPTS) {
            return;
        }
        long delay = attempt == 0 ? 0 : 25L << attempt;
        engine.workLater(() -> {
            if (!stillWanted.getAsBoolean()) {
                return;
            }
            // a literal is parsed; localhost is resolved here, on the worker, and each of its loopback addresses tried
            // in the resolver's order (a backend on 127.0.0.1 may hold its [::1] twin without listening); one mapped
            // elsewhere (/etc/hosts) is never probed there
            InetAddress[] addresses;
            try {
                Optional<InetAddress> literal = IpLiteral.parse(host);
                addresses = literal.isPresent() ? new InetAddress[] { literal.get() } : InetAddress.getAllByName(host);
            } catch (IOException e) {
                attempt(host, port, stillWanted, serving, attempt + 1);
                return;
            }
            for (InetAddress address : addresses) {
                if (address.isLoopbackAddress() && accepts(address, port)) {
                    serving.run();
                    return;
                }
            }
            attempt(host, port, stillWanted, serving, attempt + 1);
        }, delay, TimeUnit.MILLISECONDS);
    }

    private static boolean accepts(InetAddress address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), CONNECT_TIMEOUT_MS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
