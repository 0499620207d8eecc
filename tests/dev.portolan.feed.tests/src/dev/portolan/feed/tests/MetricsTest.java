package dev.portolan.feed.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.portolan.api.Endpoint;
import dev.portolan.api.discovery.ApiClient;
import dev.portolan.api.discovery.ApiException;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.feed.EventFeed;
import dev.portolan.api.feed.FeedAddress;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.RestartPolicy;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.metrics.PortolanMetrics;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.tests.common.StateIsolation;
import dev.portolan.tests.common.TestBackend;

/**
 * {@code /metrics} behind the feed's token, parsed by Debian's prometheus_client parser, moves as a sidecar is killed
 * and restarted, discovery runs and API calls succeed and fail.
 */
class MetricsTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @BeforeAll
    static void isolate() {
        StateIsolation.isolate();
    }

    static <T> T service(Class<T> type) {
        return OsgiServices.await(MetricsTest.class, type, WAIT);
    }

    static Map<String, Double> scrape(FeedAddress a) throws Exception {
        PythonClient.Result r = PythonClient.run("parse_metrics.py", WAIT, a.metrics().toString(), a.token());
        assertEquals(0, r.exitCode(), r.output());
        JsonNode n = WsClient.JSON.readTree(r.output());
        Map<String, Double> out = new java.util.TreeMap<>();
        n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asDouble()));
        return out;
    }

    static double sum(Map<String, Double> m, String prefix, String labelPart) {
        return m.entrySet().stream().filter(e -> e.getKey().startsWith(prefix + "{") && e.getKey().contains(labelPart))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    @Test
    void metricsNeedTheToken() throws Exception {
        FeedAddress a = service(EventFeed.class).start();
        try {
            HttpResponse<String> r = WsClient.HTTP.send(HttpRequest.newBuilder(a.metrics()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, r.statusCode());
            r = WsClient.HTTP.send(HttpRequest.newBuilder(a.metrics()).header("Authorization", "Bearer " + a.token())
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("portolan_feed_subscribers{service=\"default\"}"), r.body());
        } finally {
            service(EventFeed.class).stop();
        }
    }

    @Test
    void rejectedAnnouncementsAreCountedByReason() throws Exception {
        PortolanMetrics metrics = service(PortolanMetrics.class);
        String script = "import sys,time\n"
                + "print('{\"type\":\"port_info\",\"port\":\"x\"}', flush=True)\n"
                + "print('{\"type\":\"port_info\",\"mode\":\"sidecar\",\"port\":1,\"url\":\"http://127.0.0.1:1\","
                + "\"token\":\"not-the-launch-token\"}', flush=True)\n"
                + "print('done', flush=True)\n"
                + "time.sleep(60)\n";
        double malformed = value(metrics.scrape(), "malformed");
        double mismatch = value(metrics.scrape(), "token_mismatch");
        java.util.List<String> diagnostics = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture<Void> twoRejections = new CompletableFuture<>();
        CompletableFuture<Void> terminal = new CompletableFuture<>();
        LaunchHandle h = service(SidecarLauncher.class).launch(LaunchSpec.builder("/usr/bin/python3", "-c", script)
                .announcementTimeout(WAIT).build(), new SidecarListener() {
                    @Override
                    public void diagnostic(LaunchHandle handle, String message) {
                        diagnostics.add(message);
                        if (diagnostics.size() == 2) {
                            twoRejections.complete(null);
                        }
                    }

                    @Override
                    public void stateChanged(LaunchHandle handle, dev.portolan.api.launch.SidecarState o,
                            dev.portolan.api.launch.SidecarState n) {
                        if (n.isTerminal()) {
                            terminal.complete(null);
                        }
                    }
                });
        try {
            Await.result(twoRejections, WAIT, "the two rejection diagnostics");
        } finally {
            h.stop();
            // the launcher delivers events in order on one thread, the whiteboard (metrics) after the handle's own
            // listeners: once the terminal state has reached us, the diagnostics have reached the metrics
            Await.result(terminal, WAIT, "the sidecar stopped");
        }
        assertEquals(malformed + 1, value(metrics.scrape(), "malformed"), diagnostics + "\n" + metrics.scrape());
        assertEquals(mismatch + 1, value(metrics.scrape(), "token_mismatch"), diagnostics + "\n" + metrics.scrape());
    }

    private static double value(String text, String reason) {
        String prefix = "portolan_announcements_rejected_total{reason=\"" + reason + "\",service=\"default\"} ";
        return text.lines().filter(l -> l.startsWith(prefix)).mapToDouble(l -> Double.parseDouble(l.substring(
                prefix.length()))).findFirst().orElse(0);
    }

    @Test
    void valuesMoveAsABackendIsKilledAndRestartedAndCallsSucceedAndFail() throws Exception {
        FeedAddress a = service(EventFeed.class).start();
        SidecarLauncher launcher = service(SidecarLauncher.class);
        EndpointTracker tracker = service(EndpointTracker.class);
        ApiClient api = service(ApiClient.class);
        Map<String, Double> before = scrape(a);
        double rangePorts = sum(before, "portolan_port_range_ports", "");
        assertTrue(rangePorts > 0, before.toString());

        CompletableFuture<SidecarAnnouncement> second = new CompletableFuture<>();
        LaunchHandle h = launcher.launch(LaunchSpec.builder(SampleBackend.command()).restartPolicy(
                RestartPolicy.DEFAULT).announcementTimeout(WAIT).build(), new SidecarListener() {
                    @Override
                    public void announced(LaunchHandle handle, SidecarAnnouncement an) {
                        if (an.restartCount() >= 1) {
                            second.complete(an);
                        }
                    }
                });
        try {
            SidecarAnnouncement first = Await.result(h.announcement(), WAIT, "first announcement");
            ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly(); // kill -9
            Await.result(second, WAIT, "announcement after the restart");

            try (TestBackend open = TestBackend.start(0, null)) {
                Await.result(tracker.override(Endpoint.at("127.0.0.1", open.port(), "override", false)), WAIT, "pin");
                assertEquals(200, api.call("GET", "/v1/items", null).status());
            }
            assertThrows(ApiException.class, () -> api.call("GET", "/v1/items", null));
            Await.result(tracker.clearOverride(), WAIT, "clear override");
            Await.result(tracker.refresh(), WAIT, "discovery");

            Map<String, Double> after = scrape(a);
            assertEquals(sum(before, "portolan_sidecar_restarts_total", "") + 1,
                    sum(after, "portolan_sidecar_restarts_total", ""), after.toString());
            assertTrue(sum(after, "portolan_api_call_duration_seconds_count", "outcome=ok")
                    >= sum(before, "portolan_api_call_duration_seconds_count", "outcome=ok") + 1, after.toString());
            assertTrue(sum(after, "portolan_api_call_duration_seconds_count", "outcome=no_backend")
                    + sum(after, "portolan_api_call_duration_seconds_count", "outcome=error")
                    > sum(before, "portolan_api_call_duration_seconds_count", "outcome=no_backend")
                            + sum(before, "portolan_api_call_duration_seconds_count", "outcome=error"),
                    after.toString());
            assertTrue(sum(after, "portolan_discovery_duration_seconds_count", "") > sum(before,
                    "portolan_discovery_duration_seconds_count", ""), after.toString());
            assertTrue(sum(after, "portolan_discovery_strategy_duration_seconds_count", "strategy=scan") > 0,
                    after.toString());
            assertEquals(rangePorts, sum(after, "portolan_port_range_ports", ""), "ours + other + free = the range");
        } finally {
            Await.result(h.stop(), WAIT, "stop");
            service(EventFeed.class).stop();
        }
    }
}
