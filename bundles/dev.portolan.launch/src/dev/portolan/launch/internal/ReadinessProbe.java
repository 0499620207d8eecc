package dev.portolan.launch.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.portolan.api.IpLiteral;
import dev.portolan.api.launch.SidecarAnnouncement;

/**
 * ANNOUNCED → RUNNING: connects to an announced loopback port a few times (backing off from 50 ms, on the worker,
 * never sleeping) and reports the first successful connect. Non-loopback announced hosts are never probed.
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
        // a literal only, parsed: a name such as 127.example is never looked up, let alone connected to
        IpLiteral.parse(sa.announcement().url().getHost()).filter(InetAddress::isLoopbackAddress)
                .ifPresent(address -> attempt(address, sa.announcement().port(), stillWanted, serving, 0));
    }

    private void attempt(InetAddress address, int port, BooleanSupplier stillWanted, Runnable serving, int attempt) {
        if (attempt > MAX_ATTEMPTS) {
            return;
        }
        long delay = attempt == 0 ? 0 : 25L << attempt;
        engine.workLater(() -> {
            if (!stillWanted.getAsBoolean()) {
                return;
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, port), CONNECT_TIMEOUT_MS);
            } catch (IOException e) {
                attempt(address, port, stillWanted, serving, attempt + 1);
                return;
            }
            serving.run();
        }, delay, TimeUnit.MILLISECONDS);
    }
}
