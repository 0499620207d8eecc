package dev.portolan.launch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import dev.portolan.api.Verification;
import dev.portolan.api.launch.AdoptionPolicy;
import dev.portolan.api.launch.FoundBy;
import dev.portolan.api.launch.LaunchException;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.FreePorts;
import dev.portolan.tests.common.NaiveServer;
import dev.portolan.tests.common.OsgiServices;

/**
 * Adoption of real servers that never heard of Portolan (docs/launcher.md, "Adoption"): found through their output
 * or the listening sockets of their process tree, verified by ownership and health.
 */
class AdoptionTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final Set<FoundBy> BOTH = Set.of(FoundBy.OUTPUT, FoundBy.PROCESS);
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Python: a quiet request handler {@code H} that answers 200 with no body on every path. */
    private static final String OK_HANDLER = String.join("\n", "class H(http.server.BaseHTTPRequestHandler):",
            "    def do_GET(self):",
            "        self.send_response(200); self.send_header('Content-Length', '0'); self.end_headers()",
            "    def log_message(self, *a): pass");

    private static SidecarLauncher launcher() {
        return OsgiServices.await(AdoptionTest.class, SidecarLauncher.class, WAIT);
    }

    private static PortInspector inspector() {
        return OsgiServices.await(AdoptionTest.class, PortInspector.class, WAIT);
    }

    private static int status(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static Path workDir() throws Exception {
        Path dir = Build.repoRoot().resolve("tests/dev.portolan.launch.tests/target/adoption");
        Files.createDirectories(dir);
        return dir;
    }

    /**
     * Python: a server that finds a free port on {@code address}, prints {@code line} (its {@code %d}: the port) on
     * stderr, and binds and serves there 0.3 s later (a framework starting up), 200 on every path.
     */
    private static String printingBeforeItBinds(String address, String line) {
        return String.join("\n", "import http.server, socket, sys, time",
                "s = socket.socket(); s.bind(('" + address + "', 0)); port = s.getsockname()[1]; s.close()",
                "print('" + line + "' % port, file=sys.stderr, flush=True)",
                "time.sleep(0.3)  # the framework starting up",
                OK_HANDLER,
                "http.server.HTTPServer(('" + address + "', port), H).serve_forever()");
    }

    /** Launches, checks the endpoint is the child's and answers, stops; returns the announcement. */
    private static SidecarAnnouncement adopt(LaunchSpec spec, Set<FoundBy> expected) throws Exception {
        return adopt(spec, expected, Verification.PROCESS);
    }

    private static SidecarAnnouncement adopt(LaunchSpec spec, Set<FoundBy> expected, Verification verification)
            throws Exception {
        LaunchHandle h = launcher().launch(spec);
        try {
            SidecarAnnouncement a = h.announcement().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertTrue(expected.contains(a.foundBy()), "found by " + a.foundBy() + ": " + a + "\n" + h.output());
            assertEquals(verification, a.verification(), a.toString());
            assertTrue(a.verified());
            int port = a.announcement().port();
            assertTrue(inspector().listeningPorts(Set.of(a.pid())).orElseThrow().get(a.pid()).contains(port),
                    "the child itself listens on " + port);
            assertTrue(status(a.announcement().url().resolve("/")) > 0);
            return a;
        } finally {
            h.stop().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * http.server binds, then prints its line: its output and its listening socket both name the port, whichever is
     * seen first wins (the output pattern itself: {@link OutputPatternsTest}, {@link #aLinePrintedBeforeTheBind}).
     */
    @Test
    void httpServerIsFound() throws Exception {
        SidecarAnnouncement a = adopt(LaunchSpec.builder(Fakes.PYTHON, "-m", "http.server", "0", "--bind", "127.0.0.1")
                .workingDirectory(workDir()).adoption(AdoptionPolicy.DEFAULT).announcementTimeout(WAIT).build(),
                BOTH);
        assertEquals(URI.create("http://127.0.0.1:" + a.announcement().port() + "/"), a.announcement().healthUrl(),
                "/health is 404 on http.server: any answer on / counts");
    }

    @Test
    void uvicornAppFactoryIsFound() throws Exception {
        // uvicorn prints the port it bound ("Uvicorn running on http://127.0.0.1:N") on stderr; older releases print
        // the asked port 0 there, and then the listening socket of its process finds it. The example's /health
        // answers the launcher's challenge with a proof for this launch's identity key: verified as challenge
        Path example = Build.repoRoot().resolve("examples/python-fastapi");
        SidecarAnnouncement a = adopt(LaunchSpec.builder(Fakes.PYTHON, "-m", "uvicorn", "--app-dir",
                example.toString(), "--factory", "app_factory:create_app", "--port", "0").workingDirectory(workDir())
                .adoption(AdoptionPolicy.DEFAULT).announcementTimeout(WAIT).build(), BOTH, Verification.CHALLENGE);
        assertEquals("/health", a.announcement().healthUrl().getPath(), "the example answers /health");
    }

    /**
     * A server that prints its URL (on stderr) before it binds (0.3 s of start-up): the output names the port first,
     * it is adopted once its own listener is up and answers.
     */
    @Test
    void aLinePrintedBeforeTheBind() throws Exception {
        String script = printingBeforeItBinds("127.0.0.1",
                "INFO:     Uvicorn running on http://127.0.0.1:%d (Press CTRL+C to quit)");
        SidecarAnnouncement a = adopt(LaunchSpec.builder(Fakes.PYTHON, "-c", script).workingDirectory(workDir())
                .adoption(AdoptionPolicy.DEFAULT).announcementTimeout(WAIT).build(), Set.of(FoundBy.OUTPUT));
        assertEquals("/health", a.announcement().healthUrl().getPath(), "2xx on /health");
    }

    /**
     * A server on every interface that prints the machine's name (as {@code jupyter --ip=0.0.0.0} does first), before
     * it binds: the line names the port, which is checked where front ends on this machine reach it, and the endpoint
     * is {@code 127.0.0.1}, not the name. The name here resolves nowhere ({@code .invalid}): it is never looked up.
     * Before, the candidate was asked at the name: a name that resolved to a LAN address gave an endpoint that every
     * reader of the local registry ignored as remote (the sidecar's own front end included), and one that did not
     * resolve held the port, which was offered only once, until the start timed out.
     */
    @Test
    void aLineNamingTheMachineIsCheckedOnLoopbackAndTheEndpointIsLoopback() throws Exception {
        String script = printingBeforeItBinds("0.0.0.0", "[I ServerApp] http://jupyter-host.invalid:%d/lab?token=abc");
        SidecarAnnouncement a = adopt(LaunchSpec.builder(Fakes.PYTHON, "-c", script).workingDirectory(workDir())
                .adoption(AdoptionPolicy.DEFAULT).announcementTimeout(WAIT).build(), Set.of(FoundBy.OUTPUT));
        assertEquals(URI.create("http://127.0.0.1:" + a.announcement().port()), a.announcement().url(),
                a.toString());
    }

    /**
     * A server that listens on IPv6 loopback only and prints nothing (as {@code python3 -m http.server --bind ::1}
     * before its line is read): its listening socket names the port, 127.0.0.1 refuses it, {@code ::1} answers.
     * Before, a port found by its socket was asked on 127.0.0.1 only, again and again, and such a server was adopted
     * only when its printed line was read before its socket was seen.
     */
    @Test
    void aSilentServerOnIpv6LoopbackOnlyIsFoundByProcessOwnership() throws Exception {
        String script = String.join("\n", "import http.server, socket",
                "class S(http.server.HTTPServer):",
                "    address_family = socket.AF_INET6",
                OK_HANDLER,
                "S(('::1', 0), H).serve_forever()");
        SidecarAnnouncement a = adopt(LaunchSpec.builder(Fakes.PYTHON, "-c", script).workingDirectory(workDir())
                .adoption(AdoptionPolicy.DEFAULT).announcementTimeout(WAIT).build(), Set.of(FoundBy.PROCESS));
        int port = a.announcement().port();
        assertEquals(URI.create("http://[::1]:" + port), a.announcement().url(), a.toString());
        assertEquals(URI.create("http://[::1]:" + port + "/health"), a.announcement().healthUrl(), a.toString());
    }

    /**
     * The process tree's socket names a port, not an address: another process may listen on 127.0.0.1 with the same
     * port number as a server on {@code ::1} only. The server is adopted on {@code ::1}, and the other process is not
     * even asked. Before, the port was asked on 127.0.0.1 first, and the other process's answer was adopted as the
     * sidecar's.
     */
    @Test
    void aServerOnIpv6LoopbackIsAdoptedThereNotTheOtherProcessOnIpv4WithItsPort() throws Exception {
        FreePorts.onFreeBlock(NaiveBackendsRaceTest.BAND, 1, port -> {
            AtomicInteger asked = new AtomicInteger();
            HttpServer other = stranger(port, asked);
            try {
                LaunchHandle h = launcher().launch(LaunchSpec.builder(Fakes.PYTHON, "-c",
                        NaiveServer.onIpv6LoopbackAt(port, "naive %d")).workingDirectory(workDir())
                        .adoption(AdoptionPolicy.DEFAULT).announcementTimeout(WAIT).build());
                try {
                    SidecarAnnouncement a = announcementOrDisturbed(h, port);
                    assertEquals(FoundBy.PROCESS, a.foundBy(), a.toString());
                    assertEquals(Verification.PROCESS, a.verification(), a.toString());
                    assertEquals(URI.create("http://[::1]:" + port), a.announcement().url(), a.toString());
                    assertEquals(0, asked.get(), "the process on 127.0.0.1:" + port + " was asked");
                } finally {
                    h.stop().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                }
            } finally {
                other.stop(0);
            }
        });
    }

    /**
     * An announcement without proof names 127.0.0.1, but the backend listens on {@code ::1} only, and another process
     * listens on 127.0.0.1 with that port: the backend's socket on the port does not make the other process's answer
     * its own. The start fails, naming the other process. Before, the announcement was adopted as verified by process.
     */
    @Test
    void anAnnouncedAddressServedByAnotherProcessIsNotOursThoughTheBackendHoldsThePortElsewhere() throws Exception {
        FreePorts.onFreeBlock(NaiveBackendsRaceTest.BAND, 1, port -> {
            HttpServer other = stranger(port, new AtomicInteger());
            try {
                String url = "http://127.0.0.1:" + port;
                String script = NaiveServer.onIpv6LoopbackAt(port, "{\"type\": \"port_info\", \"mode\": "
                        + "\"sidecar\", \"port\": %d, \"url\": \"" + url + "\", \"docs_url\": \"" + url
                        + "/docs\", \"health_url\": \"" + url + "/health\"}");
                LaunchHandle h = launcher().launch(LaunchSpec.builder(Fakes.PYTHON, "-c", script)
                        .workingDirectory(workDir()).announcementTimeout(WAIT).build());
                LaunchException le;
                try {
                    throw new AssertionError("adopted: " + announcementOrDisturbed(h, port));
                } catch (ExecutionException e) {
                    le = (LaunchException) e.getCause();
                }
                assertEquals(LaunchException.Reason.PORT_NOT_OURS, le.reason(), le.getMessage());
                assertTrue(le.getMessage().contains("is served by another process: pid " + ProcessHandle.current().pid()
                        + " (") && le.getMessage().contains("listens on 127.0.0.1:" + port), le.getMessage());
                h.exit().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } finally {
                other.stop(0);
            }
        });
    }

    /** This JVM's HTTP server on 127.0.0.1:{@code port} (0: one the OS picks), 200 on every path, counting requests. */
    private static HttpServer stranger(int port, AtomicInteger asked) throws java.io.IOException {
        HttpServer other;
        try {
            other = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 10);
        } catch (java.net.BindException e) {
            throw new FreePorts.Disturbed("127.0.0.1:" + port + " was taken: " + e.getMessage());
        }
        other.createContext("/", x -> {
            asked.incrementAndGet();
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        other.start();
        return other;
    }

    /** {@code h}'s announcement; {@link FreePorts.Disturbed} when its server found [::1]:{@code port} taken. */
    private static SidecarAnnouncement announcementOrDisturbed(LaunchHandle h, int port) throws Exception {
        try {
            return h.announcement().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (h.output().stream().anyMatch(l -> l.text().startsWith("busy"))) {
                throw new FreePorts.Disturbed("[::1]:" + port + " was taken: " + h.output());
            }
            throw e;
        }
    }

    @Test
    void silentJdkServerIsFoundByProcessOwnership() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        SidecarAnnouncement a = adopt(LaunchSpec.builder(java, Fakes.fake("SilentServer.java").toString())
                .workingDirectory(workDir()).adoption(AdoptionPolicy.DEFAULT).announcementTimeout(WAIT).build(),
                Set.of(FoundBy.PROCESS));
        assertEquals("/", a.announcement().healthUrl().getPath());
    }

    @Test
    void printedUrlServedByAnotherProcessIsRejected() throws Exception {
        HttpServer other = stranger(0, new AtomicInteger());
        int port = other.getAddress().getPort();
        List<String> diagnostics = new CopyOnWriteArrayList<>();
        try {
            // prints a uvicorn-style line naming the test's server, serves nothing itself
            LaunchHandle h = launcher().launch(LaunchSpec.builder(Fakes.PYTHON, "-c",
                    "import sys\nprint('INFO:     Uvicorn running on http://127.0.0.1:" + port
                            + " (Press CTRL+C to quit)', file=sys.stderr, flush=True)\nsys.stdin.read()")
                    .adoption(AdoptionPolicy.DEFAULT).announcementTimeout(Duration.ofSeconds(3)).build(),
                    new SidecarListener() {
                        @Override
                        public void diagnostic(LaunchHandle handle, String message) {
                            diagnostics.add(message);
                        }
                    });
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> h.announcement().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            LaunchException le = (LaunchException) e.getCause();
            assertEquals(LaunchException.Reason.ANNOUNCEMENT_TIMEOUT, le.reason());
            String expected = "is served by another process: pid " + ProcessHandle.current().pid();
            assertTrue(le.getMessage().contains(expected), le.getMessage());
            assertTrue(diagnostics.stream().anyMatch(d -> d.contains(expected) && d.contains("not adopted")),
                    diagnostics.toString());
            h.exit().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            other.stop(0);
        }
    }

    @Test
    void aPortPlaceholderIsReplacedByAnAssignedPort() throws Exception {
        int first = NaiveBackendsRaceTest.BAND.block(4);
        SidecarAnnouncement a = adopt(LaunchSpec.builder(Fakes.PYTHON, "-m", "http.server", "{port}", "--bind",
                "127.0.0.1").env("PORTOLAN_PORT_RANGE", first + "-" + (first + 3)).workingDirectory(workDir())
                .adoption(AdoptionPolicy.DEFAULT).announcementTimeout(WAIT).build(), BOTH);
        int port = a.announcement().port();
        assertTrue(port >= first && port <= first + 3, "the assigned port from the range: " + port);
    }

    @Test
    void aUsersApiPortWinsOverAssignment() throws Exception {
        int port = NaiveBackendsRaceTest.BAND.block(1);
        SidecarAnnouncement a = adopt(LaunchSpec.builder(Fakes.PYTHON, "-m", "http.server", "{port}", "--bind",
                "127.0.0.1").env("API_PORT", Integer.toString(port)).assignPort(true).workingDirectory(workDir())
                .adoption(AdoptionPolicy.DEFAULT).announcementTimeout(WAIT).build(), BOTH);
        assertEquals(port, a.announcement().port());
    }

    @Test
    void withoutAdoptionAServerThatDoesNotAnnounceTimesOut() throws Exception {
        LaunchHandle h = launcher().launch(LaunchSpec.builder(Fakes.PYTHON, "-m", "http.server", "0", "--bind",
                "127.0.0.1").workingDirectory(workDir()).announcementTimeout(Duration.ofSeconds(2)).build());
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> h.announcement().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals(LaunchException.Reason.ANNOUNCEMENT_TIMEOUT, ((LaunchException) e.getCause()).reason());
        h.exit().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A server that never heard of Portolan does not read stdin: its stop is SIGTERM at once, its own graceful stop,
     * not a graceful timeout (here ten minutes, beyond the test's deadline) spent waiting for a line it never reads.
     */
    @Test
    void anAdoptedServerIsStoppedBySigtermWithoutWaitingForTheShutdownLine() throws Exception {
        List<String> diagnostics = new CopyOnWriteArrayList<>();
        LaunchHandle h = launcher().launch(LaunchSpec.builder(Fakes.PYTHON, "-m", "http.server", "0", "--bind",
                "127.0.0.1").workingDirectory(workDir()).adoption(AdoptionPolicy.DEFAULT).announcementTimeout(WAIT)
                .gracefulStopTimeout(Duration.ofMinutes(10)).build(), new SidecarListener() {
                    @Override
                    public void diagnostic(LaunchHandle handle, String message) {
                        diagnostics.add(message);
                    }
                });
        try {
            SidecarAnnouncement a = h.announcement().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertTrue(a.verified() && a.foundBy() != FoundBy.ANNOUNCEMENT, a.toString());
        } finally {
            h.stop().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        assertEquals(143, h.exit().get(WAIT.toMillis(), TimeUnit.MILLISECONDS), "ended by SIGTERM");
        assertTrue(diagnostics.stream().anyMatch(d -> d.startsWith("never announced a port")), diagnostics.toString());
    }

    @Test
    void invalidUserPatternIsRejectedBeforeAnythingStarts() {
        LaunchException e = assertThrows(LaunchException.class, () -> launcher().launch(LaunchSpec.builder(
                Fakes.PYTHON, "-c", "pass").adoption(AdoptionPolicy.DEFAULT.withPatterns(List.of("port (\\d+"))).build()));
        assertEquals(LaunchException.Reason.INVALID_SPEC, e.reason());
        assertTrue(e.getMessage().contains("'port (\\d+'"), e.getMessage());
    }
}
