package dev.portolan.backend.sample;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

import dev.portolan.api.Announcement;
import dev.portolan.api.ports.PortAllocationException;
import dev.portolan.backend.JavaBackend;
import dev.portolan.backend.JavaCommand;
import dev.portolan.core.protocol.AnnouncementCodec;
import dev.portolan.ports.PortFinders;
import dev.portolan.ports.ServerBinder;
import dev.portolan.ports.ServerReservation;

/**
 * The sample Java backend: a JDK {@code HttpServer} bound by the port finder's scan (bind-and-hold: the server
 * itself holds the announced port), announcing itself with one {@code port_info} line on stdout after the bind.
 * <p>
 * Protocol v2 (see {@code docs/protocol.md}): {@code GET /health} ({@code {"status":"healthy","protocol":2,...}},
 * the {@code X-Portolan-Proof} header for a valid {@code X-Portolan-Challenge}), {@code POST /auth/ticket},
 * {@code GET /auth/login}, {@code GET /docs} (HTML, authorized), the REST API of {@link SampleApi}. Routing and the
 * security rules: {@link SampleRouter} with {@link dev.portolan.backend.BackendSecurity}.
 * <p>
 * Usage ({@link SampleMain}): {@code SampleBackend [--sidecar | --standalone] [--port N]}. Sidecar (default) stops when
 * stdin reaches EOF or reads the line {@code sidecar shutdown}; standalone runs until killed. Once it serves, it is
 * registered in the local instance registry ({@link JavaBackend#announce}) until it stops. Environment: {@code API_PORT},
 * {@code PORTOLAN_PORT_RANGE}, {@code DEBUG_PORT_DISCOVERY}, {@code PORTOLAN_IDENTITY_KEY},
 * {@code PORTOLAN_API_TOKEN}, {@code PORTOLAN_CHALLENGE}, {@code PORTOLAN_ALLOWED_ORIGINS}. Exit codes: 0 stopped,
 * 2 bad arguments or environment, 3 no port could be reserved, 1 unexpected failure.
 */
public final class SampleBackend implements AutoCloseable {

    /** The version this backend reports. */
    public static final String VERSION = "0.1.0";
    /** The line on stdin that stops a sidecar gracefully. */
    public static final String SHUTDOWN_COMMAND = dev.portolan.core.protocol.SidecarProtocol.SHUTDOWN_LINE;
    /** JVM option every launch of this backend needs (keep-alive latency, see the field notes). */
    public static final String NODELAY = "-Dsun.net.httpserver.nodelay=true";

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_NO_PORT = 3;

    private final ServerReservation<HttpServer> reservation;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Announcement announcement;
    private final JavaBackend backend;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final CountDownLatch done = new CountDownLatch(1);

    private SampleBackend(JavaBackend backend) throws PortAllocationException, IOException {
        this.backend = backend;
        this.reservation = backend.bind(ServerBinder.of(a -> HttpServer.create(a, 128), s -> s.getAddress().getPort(),
                s -> s.stop(0)));
        this.server = reservation.server();
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", new SampleRouter(backend.security(), backend.registryIdentity(), backend.mode(),
                reservation.port())::route);
        server.start();
        try {
            this.announcement = backend.announce(reservation); // the server holds the port and is serving
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    /**
     * Starts a backend in this process: reserves a port, starts the server and prints the announcement to the
     * backend's stream.
     */
    public static SampleBackend start(JavaBackend backend) throws PortAllocationException, IOException {
        return new SampleBackend(backend);
    }

    /**
     * The command line that runs this backend in a child JVM: [java of this JVM, {@value #NODELAY}, -cp, the code
     * sources of the backend, api, ports, core and Jackson classes, main class, args]. Works from Equinox (bundle
     * jars or class directories) and plain class paths.
     */
    public static List<String> command(String... args) {
        return JavaCommand.of(List.of(NODELAY), classPathAnchors(), SampleBackend.class, List.of(args));
    }

    /** The classes whose code sources make up this backend's class path. */
    public static List<Class<?>> classPathAnchors() {
        return List.of(SampleBackend.class, Announcement.class, PortFinders.class, AnnouncementCodec.class,
                JsonNode.class, JsonFactory.class, JsonInclude.class,
                dev.portolan.registry.etcd.EtcdRegistries.class);
    }

    public Announcement announcement() {
        return announcement;
    }

    public int port() {
        return reservation.port();
    }

    /** How long a stop lets running requests finish before it closes their connections. */
    public static final int DRAIN_SECONDS = 3;

    /** Waits until the backend has stopped. */
    public boolean awaitStop(java.time.Duration timeout) throws InterruptedException {
        return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops serving and releases the port; idempotent. */
    @Override
    public void close() {
        if (stopped.compareAndSet(false, true)) {
            backend.deregister(); // first: nobody should find a backend that no longer answers
            // graceful: the listener closes at once, running exchanges get up to DRAIN_SECONDS to finish (an idle
            // server stops at once on JDK 22+). One second was too short on a busy machine: a request that had 0.8 s
            // left was cut off (GracefulStopTest). It stays below the launcher's 5 s graceful-stop timeout.
            reservation.takeServer().stop(DRAIN_SECONDS);
            reservation.close(); // releases the [::1] twin, the lock file and the in-process entry
            executor.shutdownNow();
            done.countDown();
        }
    }

    /** Runs the sample backend from the command line ({@link SampleMain}); exits with its code. */
    public static void main(String[] args) {
        System.exit(SampleMain.run(args, System.getenv(), System.in, System.out, System.err));
    }

    /** Waits until {@link #close()} ran (by whatever path). */
    void awaitClosed() throws InterruptedException {
        done.await();
    }

    /** The address the server is bound to. */
    public InetSocketAddress address() {
        return reservation.address();
    }
}
