package dev.portolan.backend.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.portolan.api.Announcement;
import dev.portolan.api.PortRange;
import dev.portolan.api.ports.PortAllocationException;
import dev.portolan.backend.BackendConfigException;
import dev.portolan.backend.JavaBackend;
import dev.portolan.backend.JavaCommand;
import dev.portolan.core.internal.Json;
import dev.portolan.core.protocol.AnnouncementCodec;
import dev.portolan.ports.PortFinders;
import dev.portolan.ports.ServerBinder;
import dev.portolan.ports.ServerReservation;

/**
 * The sample Java backend: a JDK {@code HttpServer} bound by the port finder's scan (bind-and-hold: the server
 * itself holds the announced port), announcing itself with one {@code port_info} line on stdout after the bind.
 * <p>
 * Endpoints: {@code GET /health} ({@code {"status":"healthy","token":...,"pid":...,"version":...}} and the
 * {@code X-Portolan-Token} header when a token was given), {@code GET /docs} (HTML), {@code GET|POST /v1/echo},
 * {@code GET|POST /v1/items}, {@code GET /v1/items/{id}}, {@code GET /v1/time}. Requests whose {@code Host} is not a
 * loopback name are refused (403) against DNS rebinding.
 * <p>
 * Usage: {@code SampleBackend [--sidecar | --standalone] [--port N]}. Sidecar (default) stops when stdin reaches EOF
 * or reads the line {@code sidecar shutdown}; standalone runs until killed. Environment: {@code API_PORT},
 * {@code PORTOLAN_TOKEN}, {@code PORTOLAN_PORT_RANGE}, {@code DEBUG_PORT_DISCOVERY}. Exit codes: 0 stopped, 2 bad
 * arguments or environment, 3 no port could be reserved, 1 unexpected failure.
 */
public final class SampleBackend implements AutoCloseable {

    /** The version this backend reports. */
    public static final String VERSION = "0.1.0";
    /** The line on stdin that stops a sidecar gracefully. */
    public static final String SHUTDOWN_COMMAND = "sidecar shutdown";
    /** Response header carrying the launch token echo. */
    public static final String TOKEN_HEADER = "X-Portolan-Token";
    /** JVM option every launch of this backend needs (keep-alive latency, see the field notes). */
    public static final String NODELAY = "-Dsun.net.httpserver.nodelay=true";

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_NO_PORT = 3;

    private static final int MAX_BODY = 64 * 1024;
    private static final ObjectMapper MAPPER = Json.MAPPER;

    private final JavaBackend backend;
    private final ServerReservation<HttpServer> reservation;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Announcement announcement;
    private final Instant started = Instant.now();
    private final Map<Long, ObjectNode> items = new ConcurrentSkipListMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final CountDownLatch done = new CountDownLatch(1);

    private SampleBackend(JavaBackend backend) throws PortAllocationException, IOException {
        this.backend = backend;
        this.reservation = backend.bind(ServerBinder.of(a -> HttpServer.create(a, 128), s -> s.getAddress().getPort(),
                s -> s.stop(0)));
        this.server = reservation.server();
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", this::route);
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
                ObjectMapper.class, JsonFactory.class, JsonInclude.class);
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
                out.println("env: API_PORT, PORTOLAN_TOKEN, PORTOLAN_PORT_RANGE, DEBUG_PORT_DISCOVERY");
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

    // ------------------------------------------------------------------ HTTP

    private void route(HttpExchange ex) throws IOException {
        try (ex) {
            if (!loopbackHost(ex.getRequestHeaders().getFirst("Host"))) {
                error(ex, 403, "Host header '" + ex.getRequestHeaders().getFirst("Host")
                        + "' is not a loopback address of this backend");
                return;
            }
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            switch (path) {
            case "/health" -> {
                if (!allow(ex, "GET", "HEAD")) {
                    return;
                }
                ObjectNode o = MAPPER.createObjectNode();
                o.put("status", "healthy");
                if (backend.token() != null) {
                    o.put("token", backend.token());
                    ex.getResponseHeaders().set(TOKEN_HEADER, backend.token());
                }
                o.put("pid", ProcessHandle.current().pid());
                o.put("version", VERSION);
                o.put("mode", backend.mode());
                o.put("port", port());
                json(ex, 200, o);
            }
            case "/docs", "/docs/" -> {
                if (allow(ex, "GET", "HEAD")) {
                    send(ex, 200, "text/html; charset=utf-8", docs().getBytes(StandardCharsets.UTF_8));
                }
            }
            case "/" -> {
                ex.getResponseHeaders().set("Location", "/docs");
                ex.sendResponseHeaders(302, -1);
            }
            case "/v1/time" -> {
                if (allow(ex, "GET")) {
                    ObjectNode o = MAPPER.createObjectNode();
                    Instant now = Instant.now();
                    o.put("now", now.toString());
                    o.put("epoch_ms", now.toEpochMilli());
                    o.put("uptime_ms", now.toEpochMilli() - started.toEpochMilli());
                    json(ex, 200, o);
                }
            }
            case "/v1/echo" -> echo(ex, method);
            case "/v1/items" -> items(ex, method);
            default -> {
                if (path.startsWith("/v1/items/")) {
                    item(ex, method, path.substring("/v1/items/".length()));
                } else {
                    error(ex, 404, "no such endpoint: " + path + " (see /docs)");
                }
            }
            }
        } catch (RuntimeException e) {
            error(ex, 500, e.toString());
        }
    }

    private boolean loopbackHost(String host) {
        if (host == null) {
            return false;
        }
        String h = host.strip().toLowerCase(java.util.Locale.ROOT);
        String name = h;
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            name = end < 0 ? h : h.substring(0, end + 1);
        } else if (h.indexOf(':') >= 0) {
            name = h.substring(0, h.indexOf(':'));
        }
        return name.equals("127.0.0.1") || name.equals("localhost") || name.equals("[::1]");
    }

    private void echo(HttpExchange ex, String method) throws IOException {
        if (!allow(ex, "GET", "POST")) {
            return;
        }
        ObjectNode o = MAPPER.createObjectNode();
        if (method.equals("POST")) {
            JsonNode body = body(ex);
            if (body == null) {
                return;
            }
            o.set("echo", body);
        } else {
            ObjectNode q = o.putObject("echo");
            String query = ex.getRequestURI().getQuery();
            if (query != null) {
                for (String kv : query.split("&")) {
                    int eq = kv.indexOf('=');
                    q.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
                }
            }
        }
        json(ex, 200, o);
    }

    private void items(HttpExchange ex, String method) throws IOException {
        if (!allow(ex, "GET", "POST")) {
            return;
        }
        if (method.equals("GET")) {
            ObjectNode o = MAPPER.createObjectNode();
            var arr = o.putArray("items");
            items.values().forEach(arr::add);
            json(ex, 200, o);
            return;
        }
        JsonNode body = body(ex);
        if (body == null) {
            return;
        }
        if (!body.isObject() || !body.path("name").isTextual()) {
            error(ex, 422, "expected a JSON object with a string 'name', got: " + abbreviate(body.toString()));
            return;
        }
        long id = nextId.getAndIncrement();
        ObjectNode item = MAPPER.createObjectNode();
        item.put("id", id);
        item.put("name", body.get("name").asText());
        item.put("created_at", Instant.now().toString());
        items.put(id, item);
        ex.getResponseHeaders().set("Location", "/v1/items/" + id);
        json(ex, 201, item);
    }

    private void item(HttpExchange ex, String method, String idText) throws IOException {
        if (!allow(ex, "GET", "DELETE")) {
            return;
        }
        long id;
        try {
            id = Long.parseLong(idText);
        } catch (NumberFormatException e) {
            error(ex, 400, "item id '" + abbreviate(idText) + "' is not a number");
            return;
        }
        ObjectNode item = method.equals("DELETE") ? items.remove(id) : items.get(id);
        if (item == null) {
            error(ex, 404, "no item " + id);
        } else {
            json(ex, 200, item);
        }
    }

    /** The request body as JSON, or null after answering 400/413. */
    private JsonNode body(HttpExchange ex) throws IOException {
        byte[] data = ex.getRequestBody().readNBytes(MAX_BODY + 1);
        if (data.length > MAX_BODY) {
            error(ex, 413, "request body larger than " + MAX_BODY + " bytes");
            return null;
        }
        try {
            JsonNode n = MAPPER.readTree(data);
            if (n == null || n.isMissingNode()) {
                error(ex, 400, "empty request body: expected JSON");
                return null;
            }
            return n;
        } catch (JsonProcessingException e) {
            error(ex, 400, "request body is not valid JSON: " + e.getOriginalMessage());
            return null;
        }
    }

    private static boolean allow(HttpExchange ex, String... methods) throws IOException {
        for (String m : methods) {
            if (m.equals(ex.getRequestMethod())) {
                return true;
            }
        }
        ex.getResponseHeaders().set("Allow", String.join(", ", methods));
        error(ex, 405, "method " + ex.getRequestMethod() + " not allowed on " + ex.getRequestURI().getPath());
        return false;
    }

    private static void error(HttpExchange ex, int status, String message) throws IOException {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("error", message);
        o.put("status", status);
        json(ex, status, o);
    }

    private static void json(HttpExchange ex, int status, JsonNode body) throws IOException {
        send(ex, status, "application/json", MAPPER.writeValueAsBytes(body));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        }
    }

    private String docs() {
        Map<String, String> eps = new LinkedHashMap<>();
        eps.put("GET /health", "status, token echo (also in the " + TOKEN_HEADER + " header), pid, version");
        eps.put("GET /docs", "this page");
        eps.put("GET /v1/echo?k=v", "echoes the query parameters");
        eps.put("POST /v1/echo", "echoes the JSON body");
        eps.put("GET /v1/items", "lists the items");
        eps.put("POST /v1/items", "adds {\"name\": ...}, answers 201 with the item");
        eps.put("GET|DELETE /v1/items/{id}", "one item");
        eps.put("GET /v1/time", "server time and uptime");
        List<String> rows = new ArrayList<>();
        eps.forEach((k, v) -> rows.add("<tr><td><code>" + k + "</code></td><td>" + v.replace("<", "&lt;")
                + "</td></tr>"));
        return "<!doctype html><html><head><meta charset=\"utf-8\"><title>Portolan sample backend</title></head>"
                + "<body><h1>Portolan sample backend " + VERSION + "</h1><p>Mode: " + backend.mode() + ", port "
                + port() + ".</p><table>" + String.join("", rows) + "</table></body></html>";
    }

    private static String abbreviate(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }

    /** The address the server is bound to. */
    public InetSocketAddress address() {
        return reservation.address();
    }
}
