package dev.portolan.tests.common;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.InstanceIdentity;

/**
 * A loopback HTTP server answering {@code GET /health}: either a real backend that signs the challenge with its own
 * Ed25519 key, one that is still starting (its first requests end without an answer), or an impostor that relays the
 * challenge to another server and hands back its signature.
 */
public final class SigningBackend implements AutoCloseable {

    public static final String CHALLENGE = "X-Portolan-Challenge";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final HttpServer server;
    private final KeyPair keys;
    private final int unanswered;
    private final AtomicInteger requests = new AtomicInteger();

    private SigningBackend(KeyPair keys, URI relayTo, int unanswered) throws IOException {
        this.keys = keys;
        this.unanswered = unanswered;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/health", x -> answer(x, relayTo));
        server.start();
    }

    /** A real backend with a fresh key pair. */
    public static SigningBackend real() throws Exception {
        return starting(0);
    }

    /**
     * A real backend that is still starting: each of its first {@code unanswered} requests ends without an answer
     * (the connection closes), as a backend's registered port does before it serves; the requests after them are
     * answered and signed.
     */
    public static SigningBackend starting(int unanswered) throws Exception {
        return new SigningBackend(KeyPairGenerator.getInstance("Ed25519").generateKeyPair(), null, unanswered);
    }

    /** An impostor: forwards each challenge to {@code victim} and returns the victim's signature as its own. */
    public static SigningBackend relayingTo(URI victim) throws Exception {
        return new SigningBackend(null, victim, 0);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public InstanceIdentity identity() {
        return InstanceIdentity.of(keys.getPublic());
    }

    /** How many {@code /health} requests arrived so far, answered or not. */
    public int requests() {
        return requests.get();
    }

    /** An entry of this JVM for this server, with {@code identity} ({@code null}: none). */
    public InstanceEntry entry(String service, String id, InstanceIdentity identity) {
        return new InstanceEntry(InstanceEntry.SCHEMA, service, id, url(), "127.0.0.1", port(),
                ProcessHandle.current().pid(), null, InstanceEntry.MODE_STANDALONE, "1.0", Instant.now(),
                List.of("test"), identity, "secret-api-token-never-in-etcd");
    }

    private void answer(HttpExchange x, URI relayTo) throws IOException {
        if (requests.incrementAndGet() <= unanswered) {
            x.close(); // still starting: the connection ends without a response
            return;
        }
        String nonce = x.getRequestHeaders().getFirst(CHALLENGE);
        String signature = null;
        try {
            if (relayTo != null) {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(relayTo.resolve("/health"))
                        .header(CHALLENGE, nonce).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                signature = r.headers().firstValue(InstanceIdentity.SIGNATURE_HEADER).orElse(null);
            } else if (nonce != null) {
                Signature s = Signature.getInstance("Ed25519");
                s.initSign(keys.getPrivate());
                s.update(InstanceIdentity.signedMessage(nonce, port()));
                signature = Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
            }
        } catch (Exception e) {
            signature = null;
        }
        if (signature != null) {
            x.getResponseHeaders().add(InstanceIdentity.SIGNATURE_HEADER, signature);
        }
        byte[] body = "{\"status\":\"healthy\"}".getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(200, body.length);
        x.getResponseBody().write(body);
        x.close();
    }

    /** What a client does with an entry from the registry: a fresh challenge, checked with the entry's key. */
    public static boolean proves(InstanceEntry entry) throws Exception {
        byte[] n = new byte[18];
        new SecureRandom().nextBytes(n);
        String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(n);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(entry.healthUrl()).header(CHALLENGE, nonce)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        String sig = r.headers().firstValue(InstanceIdentity.SIGNATURE_HEADER).orElse(null);
        return entry.identity() != null && entry.identity().verifies(nonce, entry.port(), sig);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
