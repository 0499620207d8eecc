package dev.portolan.backend.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import dev.portolan.api.Announcement;
import dev.portolan.api.PortRange;
import dev.portolan.api.ports.PortAllocationException;
import dev.portolan.backend.BackendConfigException;
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
 * Usage: {@code SampleBackend [--sidecar | --standalone] [--port N]}. Sidecar (default) stops when stdin reaches EOF
 * or reads the line {@code sidecar shutdown}; standalone runs until killed. Environment: {@code API_PORT},
 * {@code PORTOLAN_PORT_RANGE}, {@code DEBUG_PORT_DISCOVERY}, {@code PORTOLAN_IDENTITY_KEY},
 * {@code PORTOLAN_API_TOKEN}, {@code PORTOLAN_CHALLENGE}, {@code PORTOLAN_ALLOWED_ORIGINS}. Exit codes: 0 stopped,
 * 2 bad arguments or environment, 3 no port could be reserved, 1 unexpected failure.
 */
public final class SampleBackend implements AutoCloseable {

    /** The version this backend reports. */
    public static final String VERSION = "0.1.0";
    /** The line on stdin that stops a sidecar gracefully. */
    public static final String SHUTDOWN_COMMAND = "sidecar shutdown";
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
                ObjectMapper.class, JsonFactory.class, JsonInclude.class,
                dev.portolan.registry.etcd.EtcdRegistries.class);
    }

    public Announcement announcement() {
        return announcement;
    }

    public int port() {
        return reservation.port();
    }

    /** Waits until the backend has stopped. */
    public boolean awaitStop(java.time.Duration timeout) throws InterruptedException {
        return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops serving and releases the port; idempotent. */
    @Override
    public void close() {
        if (stopped.compareAndSet(false, true)) {
            backend.deregister(); // first: nobody should find a backend that no longer answers
            // graceful: running exchanges get up to a second to finish (an idle server stops at once on JDK 22+)
            reservation.takeServer().stop(1);
            reservation.close(); // releases the [::1] twin, the lock file and the in-process entry
            executor.shutdownNow();
            done.countDown();
        }
    }

    // ------------------------------------------------------------------ main

    public static void main(String[] args) {
        int code = run(args, System.getenv(), System.in, System.out, System.err);
        System.exit(code);
    }

    /** Runs the backend until it is told to stop; returns the exit code. */
    static int run(String[] args, Map<String, String> env, InputStream stdin, PrintStream out, PrintStream err) {
        String mode = Announcement.MODE_SIDECAR;
        Integer port = null;
        PortRange range = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
            case "--sidecar" -> mode = Announcement.MODE_SIDECAR;
            case "--standalone" -> mode = Announcement.MODE_STANDALONE;
            case "--port", "--range" -> {
                if (i + 1 >= args.length) {
                    err.println("sample-backend: " + a + " needs a value");
                    return EXIT_USAGE;
                }
                String v = args[++i];
                try {
                    if (a.equals("--port")) {
                        port = Integer.parseInt(v);
                        if (port < 0 || port > 65535) {
                            throw new NumberFormatException();
                        }
                    } else {
                        range = PortRange.parse(v);
                    }
                } catch (IllegalArgumentException e) {
                    err.println("sample-backend: invalid " + a + " '" + v + "': expected "
                            + (a.equals("--port") ? "a port 0-65535 (0 = OS-assigned)" : "FIRST-LAST"));
                    return EXIT_USAGE;
                }
            }
            case "--help", "-h" -> {
                out.println("usage: SampleBackend [--sidecar | --standalone] [--port N] [--range FIRST-LAST]");
                out.println("env: API_PORT, PORTOLAN_PORT_RANGE, DEBUG_PORT_DISCOVERY, PORTOLAN_IDENTITY_KEY,"
                        + " PORTOLAN_API_TOKEN, PORTOLAN_CHALLENGE, PORTOLAN_ALLOWED_ORIGINS");
                return EXIT_OK;
            }
            default -> {
                err.println("sample-backend: unknown argument '" + a + "' (try --help)");
                return EXIT_USAGE;
            }
            }
        }
        SampleBackend b;
        try {
            JavaBackend jb = JavaBackend.builder().mode(mode).port(port).range(range).environment(env).out(out)
                    .version(VERSION).build();
            b = start(jb);
        } catch (BackendConfigException e) {
            err.println("sample-backend: " + e.getMessage());
            return EXIT_USAGE;
        } catch (PortAllocationException e) {
            err.println("sample-backend: no port: " + e.getMessage());
            return EXIT_NO_PORT;
        } catch (IOException e) {
            err.println("sample-backend: " + e.getMessage());
            return EXIT_FAILURE;
        }
        err.println("sample-backend: " + mode + " serving on " + b.announcement().url() + " (pid "
                + ProcessHandle.current().pid() + ")");
        Runtime.getRuntime().addShutdownHook(new Thread(b::close, "sample-backend-shutdown")); // SIGTERM, Ctrl-C
        if (Announcement.MODE_SIDECAR.equals(mode)) {
            String reason = watchStdin(stdin);
            err.println("sample-backend: " + reason + ", stopping");
            b.close();
            return EXIT_OK;
        }
        try {
            b.done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return EXIT_OK;
    }

    /** Blocks until stdin reaches EOF or carries {@value #SHUTDOWN_COMMAND}; returns why. */
    private static String watchStdin(InputStream stdin) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.strip().equals(SHUTDOWN_COMMAND)) {
                    return "'" + SHUTDOWN_COMMAND + "' received";
                }
            }
            return "stdin closed";
        } catch (IOException e) {
            return "stdin failed (" + e.getMessage() + ")";
        }
    }

    /** The address the server is bound to. */
    public InetSocketAddress address() {
        return reservation.address();
    }
}
