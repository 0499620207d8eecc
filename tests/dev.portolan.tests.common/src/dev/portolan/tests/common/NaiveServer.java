package dev.portolan.tests.common;

/**
 * Python source ({@code /usr/bin/python3 -c …}) of a server that never heard of Portolan: it answers 200 on
 * {@code /health} and 404 elsewhere, prints one line of its own making with its port, and runs until its stdin closes.
 */
public final class NaiveServer {

    private static final String HANDLER = handler("/health", 404);
    private static final String ANY_PORT = "s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)\n"
            + "port = s.server_address[1]\n";

    private NaiveServer() {
    }

    /**
     * Listens on a port the OS picks on 127.0.0.1 and then prints {@code line}, a Python format string whose
     * {@code %d} is the port (e.g. {@code "orders-api: accepting calls at tcp %d"}).
     */
    public static String onAnyPort(String line) {
        return HANDLER + ANY_PORT + serveAndPrint(line);
    }

    /**
     * As {@link #onAnyPort}, but healthy on {@code healthPath} only, and {@code 401} on every other path (a server
     * behind a login, as Spring Boot's with its security on: its health endpoint is open, nothing else).
     */
    public static String onAnyPortHealthyAt(String healthPath, String line) {
        return handler(healthPath, 401) + ANY_PORT + serveAndPrint(line);
    }

    /**
     * As {@link #onAnyPort}, but without a health path: 200 on {@code /}, 404 on every other path, {@code /health}
     * included (as {@code python3 -m http.server} in a directory without a {@code health} file).
     */
    public static String onAnyPortWithoutHealthPath(String line) {
        return handler("/", 404) + ANY_PORT + serveAndPrint(line);
    }

    /**
     * As {@link #onAnyPort}, and lets go of its port when a line {@code release} comes on its stdin (it prints
     * {@code released} once the socket is closed) and lives on until its stdin closes: a process that stopped serving
     * while its pid runs.
     */
    public static String releasingOnAnyPort(String line) {
        return HANDLER + ANY_PORT + serving(line)
                + "for command in sys.stdin:\n"
                + "    if command.strip() == 'release':\n"
                + "        s.shutdown()\n"
                + "        s.server_close()\n"
                + "        print('released', flush=True)\n";
    }

    /**
     * As {@link #onAnyPort}, but on IPv6 loopback only, on {@code port} (where another process may listen on
     * 127.0.0.1): prints {@code busy} and the reason, and exits with 3, when {@code [::1]:port} is taken.
     */
    public static String onIpv6LoopbackAt(int port, String line) {
        return HANDLER + "import socket\n"
                + "class S(http.server.ThreadingHTTPServer):\n"
                + "    address_family = socket.AF_INET6\n"
                + "try:\n"
                + "    s = S(('::1', " + port + "), H)\n"
                + "except OSError as e:\n"
                + "    print('busy', e, flush=True)\n"
                + "    sys.exit(3)\n"
                + "port = s.server_address[1]\n"
                + serveAndPrint(line);
    }

    /**
     * The line starting with {@code prefix} that a server of {@link #onIpv6LoopbackAt} printed once it listened on
     * {@code [::1]:port}; {@link FreePorts.Disturbed} when it found that taken by another process (its {@code busy}
     * line).
     */
    public static String awaitOnIpv6Loopback(ChildProcess server, String prefix, int port, java.time.Duration wait) {
        String line = server.awaitLine(l -> l.startsWith(prefix) || l.startsWith("busy"), wait);
        if (line.startsWith("busy")) {
            throw new FreePorts.Disturbed("[::1]:" + port + " was taken: " + line);
        }
        return line;
    }

    /**
     * As {@link #onAnyPort}, but prints a {@code port_info} announcement of {@code http://host:port} (its health URL
     * {@code …/health}) without any proof (no launch token, no identity): a backend that speaks the JSON line and
     * nothing more, naming its address as it likes ({@code localhost}).
     */
    public static String announcingOnAnyPort(String host) {
        String url = "http://" + host + ":%d";
        return onAnyPort("{\"type\": \"port_info\", \"mode\": \"sidecar\", \"port\": %d, \"url\": \"" + url
                + "\", \"health_url\": \"" + url + "/health\"}");
    }

    /**
     * Listens on the first free port of its {@code PORTOLAN_PORT_RANGE} (FIRST-LAST) on 127.0.0.1 and then prints
     * {@code line} (as {@link #onAnyPort}).
     */
    public static String inRange(String line) {
        return HANDLER + "first, last = map(int, os.environ['PORTOLAN_PORT_RANGE'].split('-'))\n"
                + "for port in range(first, last + 1):\n"
                + "    try:\n"
                + "        s = http.server.ThreadingHTTPServer(('127.0.0.1', port), H)\n"
                + "        break\n"
                + "    except OSError:\n"
                + "        pass\n"
                + serveAndPrint(line);
    }

    /** Answers 200 on {@code healthPath}, {@code otherwise} elsewhere. */
    private static String handler(String healthPath, int otherwise) {
        return "import http.server, os, sys, threading\n"
                + "class H(http.server.BaseHTTPRequestHandler):\n"
                + "    def do_GET(self):\n"
                + "        self.send_response(200 if self.path == '" + healthPath + "' else " + otherwise + ")\n"
                + "        self.send_header('Content-Length', '0')\n"
                + "        self.end_headers()\n"
                + "    def log_message(self, *a):\n"
                + "        pass\n";
    }

    private static String serveAndPrint(String line) {
        return serving(line) + "sys.stdin.read()\n";
    }

    /** Serves on its own thread and prints {@code line} with the port at each {@code %d}. */
    private static String serving(String line) {
        return "threading.Thread(target=s.serve_forever, daemon=True).start()\n"
                + "line = '" + line.replace("\\", "\\\\").replace("'", "\\'") + "'\n"
                + "print(line % ((port,) * line.count('%d')), flush=True)\n";
    }
}
