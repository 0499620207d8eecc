import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A server that never heard of Portolan and prints nothing: a JDK HttpServer on 127.0.0.1, an OS-assigned port, "/"
 * answers 200 and everything else 404 (so also /health). Run as a single-file program: java SilentServer.java
 */
public class SilentServer {
    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
        server.createContext("/", exchange -> {
            byte[] body = "silent".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(exchange.getRequestURI().getPath().equals("/") ? 200 : 404, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        // stops on stdin EOF (the launcher's graceful stop), silently
        while (System.in.read() >= 0) {
            // ignore input
        }
        server.stop(0);
    }
}
