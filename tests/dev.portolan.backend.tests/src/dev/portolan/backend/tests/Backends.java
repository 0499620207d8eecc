package dev.portolan.backend.tests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.portolan.api.Announcement;
import dev.portolan.core.protocol.AnnouncementCodec;
import dev.portolan.core.protocol.MalformedAnnouncementException;
import dev.portolan.tests.common.ChildProcess;

/** Shared helpers of the backend tests: launch with environment, read the announcement, GET JSON. */
final class Backends {

    /** A default mapper of the test's own, to read what the code under test wrote. */
    private static final ObjectMapper MAPPER = new ObjectMapper();

    static final Duration START = Duration.ofSeconds(60);
    /** Deadline of one HTTP request (generous: a loaded 2-core machine, a cold JVM); not a speed target. */
    static final Duration REQUEST = Duration.ofSeconds(30);
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

    private Backends() {
    }

    /** {@code /usr/bin/env K=V... command}: a child with extra environment through the shared ChildProcess. */
    static List<String> withEnv(List<String> env, List<String> command) {
        List<String> c = new ArrayList<>();
        c.add("/usr/bin/env");
        c.addAll(env);
        c.addAll(command);
        return c;
    }

    static boolean isAnnouncement(String line) {
        try {
            return AnnouncementCodec.standard().decode(line).isPresent();
        } catch (MalformedAnnouncementException e) {
            return false;
        }
    }

    /** Waits for the child's announcement line and decodes it. */
    static Announcement awaitAnnouncement(ChildProcess child) throws MalformedAnnouncementException {
        String line = child.awaitLine(Backends::isAnnouncement, START);
        Optional<Announcement> a = AnnouncementCodec.standard().decode(line);
        return a.orElseThrow();
    }

    static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(REQUEST).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> post(URI uri, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(REQUEST)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        return MAPPER.readTree(r.body());
    }

    /** Sends a line to the child's stdin. */
    static void tell(ChildProcess child, String line) throws IOException {
        var os = child.process().getOutputStream();
        os.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        os.flush();
    }
}
