package dev.portolan.launch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.Verification;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.RestartPolicy;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.core.discovery.HealthProbe;
import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.OsgiServices;

/** The real backends of the project (sample Java backend, Python FastAPI example) launched through the launcher. */
class RealBackendsTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static SidecarLauncher launcher() {
        return OsgiServices.await(RealBackendsTest.class, SidecarLauncher.class, WAIT);
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Announcement verified by its v2 proof, pid = the backend's, /health proves the identity key for a fresh
     * challenge and reveals no secret; stop frees the port.
     */
    private static void launchServeAndStop(LaunchSpec spec) throws Exception {
        LaunchHandle h = launcher().launch(spec);
        try {
            SidecarAnnouncement a = h.announcement().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertTrue(a.verified(), "the backend proves its identity: " + a);
            assertEquals(Verification.CHALLENGE, a.verification(), "our backends speak protocol v2");
            assertEquals(a.announcement().pid().longValue(), a.pid(), "the announced pid is the handle's");
            assertEquals(a.pid(), h.pid().orElseThrow());
            int port = a.announcement().port();
            assertTrue(port >= 21100 && port <= 21299, "port from PORTOLAN_PORT_RANGE: " + port);
            HealthProbe.Result health = HealthProbe.probe(a.announcement().healthUrl(), h.credentials(), WAIT);
            assertTrue(health.verified(), health.toString());
            assertEquals(Verification.CHALLENGE, health.verification());
            String body = get(a.announcement().healthUrl()).body();
            assertFalse(body.contains(h.token()) || body.contains(h.credentials().identityKey())
                    || body.contains(h.credentials().apiToken()), "no secret on /health: " + body);
            h.stop().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(0, h.exit().get(WAIT.toMillis(), TimeUnit.MILLISECONDS), "graceful stop: " + h.output());
            assertEquals(SidecarState.EXITED, h.state());
            Fakes.awaitGone(a.pid(), WAIT);
            assertTrue(Fakes.bindable(port), "port " + port + " is free again");
        } finally {
            h.stop().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void sampleJavaBackendIsLaunchedServesAndStops() throws Exception {
        launchServeAndStop(LaunchSpec.builder(SampleBackend.command())
                .env(EnvironmentVariables.PORTOLAN_PORT_RANGE, "21100-21199").announcementTimeout(WAIT).build());
    }

    @Test
    void pythonFastApiExampleIsLaunchedServesAndStops() throws Exception {
        launchServeAndStop(pythonExample().build());
    }

    @Test
    void sigkilledPythonFastApiExampleIsRestartedAndServesAgain() throws Exception {
        LaunchHandle h = launcher().launch(pythonExample().restartPolicy(RestartPolicy.DEFAULT).build());
        try {
            SidecarAnnouncement first = h.announcement().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            Recorder r = new Recorder();
            h.addListener(r);
            ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly();
            SidecarAnnouncement second = r.nextAnnouncement(WAIT);
            assertNotEquals(first.pid(), second.pid());
            assertEquals(1, second.restartCount());
            assertTrue(second.verified());
            assertEquals(200, get(second.announcement().healthUrl()).statusCode());
        } finally {
            h.stop().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The Python example's own {@code --reload} (examples/python-fastapi/reload.py): a saved source file replaces its
     * server process on the same port; the new worker announces again (same port, a new pid, a v2 proof), which the
     * launcher follows as a re-announcement (no exit, no restart counted), and calls made across the reload all
     * succeed (the port stays listening in the process the launcher started; calls wait in its backlog).
     */
    @Test
    void pythonExampleReloadKeepsThePortAndAnnouncesAgain() throws Exception {
        Path copy = Build.repoRoot().resolve("tests/dev.portolan.launch.tests/target/python-reload");
        copyExample(copy); // the test edits a source file: never the tracked one
        Recorder r = new Recorder();
        LaunchHandle h = launcher().launch(LaunchSpec.builder(Fakes.PYTHON, copy.resolve("main.py").toString(),
                "--reload").env(EnvironmentVariables.PORTOLAN_PORT_RANGE, "21200-21299")
                .env("PORTOLAN_RUNTIME_DIR", copy.resolve("run").toString()).announcementTimeout(WAIT).build(), r);
        Thread caller = null;
        Thread keptAliveCaller = null;
        try {
            SidecarAnnouncement first = r.nextAnnouncement(WAIT);
            assertEquals(Verification.CHALLENGE, first.verification(), "the worker proves the launch's identity key");
            int port = first.announcement().port();
            long worker = first.announcement().pid();
            assertNotEquals(h.pid().orElseThrow(), worker, "the launched process holds the port, a worker serves it");
            URI time = first.announcement().url().resolve("/v1/time");
            String bearer = "Bearer " + h.credentials().apiToken();
            List<String> failures = new CopyOnWriteArrayList<>();
            AtomicInteger calls = new AtomicInteger();
            Semaphore answered = new Semaphore(0);
            AtomicBoolean calling = new AtomicBoolean(true);
            caller = new Thread(() -> {
                while (calling.get()) {
                    try {
                        HttpResponse<String> resp = HTTP.send(HttpRequest.newBuilder(time).header("Authorization",
                                bearer).timeout(WAIT).GET().build(), HttpResponse.BodyHandlers.ofString());
                        if (resp.statusCode() != 200) {
                            failures.add(resp.statusCode() + " " + resp.body());
                        }
                        answered.release();
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                    calls.incrementAndGet();
                }
            }, "reload-caller");
            caller.start();
            AtomicReference<String> keptAlive = new AtomicReference<>("still calling");
            keptAliveCaller = new Thread(() -> keptAlive.set(callUntilClosed(time, bearer, calling)),
                    "reload-kept-alive-caller");
            keptAliveCaller.start();
            Files.writeString(copy.resolve("app_factory.py"), "\n# edited by the reload test\n",
                    StandardOpenOption.APPEND);
            SidecarAnnouncement second = r.nextAnnouncement(WAIT);
            assertEquals(port, second.announcement().port(), "the same port after the reload");
            long newWorker = second.announcement().pid();
            assertNotEquals(worker, newWorker, "a new worker process");
            assertEquals(Verification.CHALLENGE, second.verification());
            assertEquals(0, second.restartCount(), "a reload is not a restart");
            assertFalse(h.exit().isDone(), "the launched process never exited: " + h.output());
            Fakes.awaitGone(worker, WAIT);
            HealthProbe.Result health = HealthProbe.probe(second.announcement().healthUrl(), h.credentials(), WAIT);
            assertTrue(health.verified(), health.toString());
            assertTrue(get(second.announcement().healthUrl()).body().contains("\"pid\":" + newWorker),
                    "the new worker answers");
            answered.drainPermits();
            assertTrue(answered.tryAcquire(3, WAIT.toMillis(), TimeUnit.MILLISECONDS),
                    "calls go on after the reload: " + failures);
            calling.set(false);
            caller.join(WAIT.toMillis());
            keptAliveCaller.join(WAIT.toMillis());
            assertTrue(failures.isEmpty(), calls.get() + " calls across the reload, failed: " + failures);
            assertTrue(keptAlive.get().startsWith("closed after an answer with 'Connection: close'"),
                    "a kept-alive connection to the replaced worker: " + keptAlive.get());
            h.stop().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(0, h.exit().get(WAIT.toMillis(), TimeUnit.MILLISECONDS), "graceful stop: " + h.output());
            Fakes.awaitGone(newWorker, WAIT);
            assertTrue(Fakes.bindable(port), "port " + port + " is free again");
        } finally {
            if (caller != null) {
                caller.interrupt();
            }
            if (keptAliveCaller != null) {
                keptAliveCaller.interrupt();
            }
            h.stop().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A {@code --reload} worker stopped while it starts (a file changed again while it imported, or, as in the test
     * above, right after its announcement, which comes before uvicorn's start-up) answers the connections it took from
     * the listen backlog before it stops; its successor answers the rest. It reset them unanswered: uvicorn's
     * {@code serve()} returns without its graceful shutdown when the stop was asked for before its main loop ran
     * (fakes/reload_handover.py drives the example's own reload.py; 8 of 8 reset on every run without the change).
     */
    @Test
    void aReloadWorkerStoppedWhileItStartsAnswersTheConnectionsItTook() throws Exception {
        Path dir = Files.createDirectories(Build.repoRoot().resolve("tests/dev.portolan.launch.tests/target/"
                + "reload-handover"));
        int clients = 8;
        try (ChildProcess p = ChildProcess.start(dir, List.of(Fakes.PYTHON, Fakes.fake("reload_handover.py")
                .toString(), Build.repoRoot().resolve("examples/python-fastapi").toString(), String.valueOf(clients)),
                Map.of("PYTHONDONTWRITEBYTECODE", "1", "PORTOLAN_RUNTIME_DIR", dir.resolve("run").toString()))) {
            assertEquals(0, p.awaitExit(WAIT), p.output());
            List<String> said = p.lines().stream().filter(l -> l.startsWith("answered ") || l.startsWith(
                    "unanswered")).toList();
            assertEquals(Collections.nCopies(clients, "answered HTTP/1.1 200 OK"), said, p.output());
        }
    }

    /**
     * Calls {@code uri} again and again on one kept-alive connection while {@code calling}, as a client's connection
     * pool does, and says how the connection ended: {@code closed after an answer with 'Connection: close' ...} when
     * the server closed it the way a client can follow, or how a request went unanswered.
     */
    private static String callUntilClosed(URI uri, String bearer, AtomicBoolean calling) {
        byte[] request = ("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getAuthority()
                + "\r\nAuthorization: " + bearer + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        int answered = 0;
        try (Socket s = new Socket(uri.getHost(), uri.getPort())) {
            s.setSoTimeout((int) WAIT.toMillis());
            InputStream in = new BufferedInputStream(s.getInputStream());
            while (calling.get()) {
                s.getOutputStream().write(request);
                String status = readLine(in);
                if (status == null) {
                    return "closed under a request, unanswered, after " + answered + " answers";
                }
                long length = -1;
                boolean close = false;
                for (String h = readLine(in); h != null && !h.isEmpty(); h = readLine(in)) {
                    String name = h.substring(0, Math.max(0, h.indexOf(':'))).trim();
                    String value = h.substring(h.indexOf(':') + 1).trim();
                    if (name.equalsIgnoreCase("content-length")) {
                        length = Long.parseLong(value);
                    } else if (name.equalsIgnoreCase("connection")) {
                        close = value.equalsIgnoreCase("close");
                    }
                }
                if (length < 0) {
                    return "an answer without Content-Length: " + status;
                }
                in.skipNBytes(length);
                answered++;
                if (!status.contains(" 200 ")) {
                    return "answered " + status;
                }
                if (close) {
                    return in.read() == -1 ? "closed after an answer with 'Connection: close' (" + answered
                            + " answers)" : "more bytes after an answer with 'Connection: close'";
                }
            }
            return "never closed by the server (" + answered + " answers)";
        } catch (IOException e) {
            return "a request went unanswered after " + answered + " answers: " + e;
        }
    }

    /** One CRLF-terminated line of an HTTP head, without its CRLF; null at the end of the stream. */
    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1; c = in.read()) {
            if (c == '\n') {
                return line.toString().stripTrailing();
            }
            line.append((char) c);
        }
        return line.isEmpty() ? null : line.toString();
    }

    /** The example's Python files, copied fresh into {@code dir}. */
    private static void copyExample(Path dir) throws Exception {
        Path example = Build.repoRoot().resolve("examples/python-fastapi");
        if (Files.exists(dir)) {
            try (var old = Files.walk(dir)) {
                for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
        try (var files = Files.list(example)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".py")).toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
    }

    private static LaunchSpec.Builder pythonExample() {
        return LaunchSpec.builder(Fakes.PYTHON, Build.repoRoot().resolve("examples/python-fastapi/main.py").toString())
                .env(EnvironmentVariables.PORTOLAN_PORT_RANGE, "21200-21299").announcementTimeout(WAIT);
    }
}
