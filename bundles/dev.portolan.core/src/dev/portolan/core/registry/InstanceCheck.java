package dev.portolan.core.registry;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import com.fasterxml.jackson.databind.JsonNode;

import dev.portolan.api.Endpoint;
import dev.portolan.api.Verification;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.core.discovery.HealthProbe;
import dev.portolan.core.internal.LoopbackHttp;
import dev.portolan.core.internal.ProbeHttp;
import dev.portolan.core.json.Json;
import dev.portolan.core.protocol.IdentityProof;

/**
 * Checks a registered instance: {@code GET /health} with a fresh {@code X-Portolan-Challenge}, healthy only for a
 * {@code 200} with status {@code healthy}, verified only when {@code X-Portolan-Signature} is the entry's key's
 * Ed25519 signature for that nonce on the entry's port. An entry is a claim: nothing else makes it trusted.
 */
public final class InstanceCheck {

    private InstanceCheck() {
    }

    /** How the instance answered. */
    public enum Health {
        /** Answered healthy. */
        HEALTHY,
        /** Answered, but not healthy (an error status, not JSON, another status). */
        UNHEALTHY,
        /** Did not answer (refused, timed out). */
        UNREACHABLE
    }

    /**
     * One check.
     *
     * @param entry    the entry checked
     * @param health   how it answered
     * @param verified whether it proved the entry's identity for a fresh nonce
     * @param latency  request to response time
     * @param detail   human-readable: why it is unhealthy or unverified
     */
    public record Result(InstanceEntry entry, Health health, boolean verified, Duration latency, String detail) {

        /** Healthy and verified: the only state in which the instance may be used. */
        public boolean trusted() {
            return health == Health.HEALTHY && verified;
        }

        /** {@code verified}, {@code unverified} (answered without a valid signature) or {@code unknown}. */
        public String verification() {
            return verified ? "verified" : health == Health.UNREACHABLE ? "unknown" : "unverified";
        }

        /** The endpoint of a trusted instance ({@link Verification#CHALLENGE}), attributed to {@code source}. */
        public Endpoint endpoint(String source) {
            Verification v = trusted() ? Verification.CHALLENGE : Verification.NONE;
            return new Endpoint(entry.url(), entry.port(), entry.url().resolve("/docs"), entry.healthUrl(), source,
                    v.isVerified(), entry.pid(), v);
        }
    }

    /** Checks one entry; the future never fails (a failure is a result). */
    public static CompletableFuture<Result> checkAsync(InstanceEntry entry, Duration timeout) {
        String nonce = IdentityProof.newNonce();
        long t0 = System.nanoTime();
        return ProbeHttp.get(entry.healthUrl(), Map.of("Accept", "application/json", IdentityProof.CHALLENGE_HEADER, nonce),
                timeout.isZero() || timeout.isNegative() ? Duration.ofMillis(1) : timeout).handle((response, error) -> {
                    Duration latency = Duration.ofNanos(System.nanoTime() - t0);
                    if (error != null) {
                        return new Result(entry, Health.UNREACHABLE, false, latency, HealthProbe.describe(error, timeout));
                    }
                    return evaluate(entry, response, nonce, latency);
                });
    }

    /** Checks entries concurrently and waits for all; results in the entries' order. */
    public static List<Result> checkAll(List<InstanceEntry> entries, Duration timeout) throws InterruptedException {
        List<CompletableFuture<Result>> futures = new ArrayList<>();
        for (InstanceEntry e : entries) {
            futures.add(checkAsync(e, timeout));
        }
        List<Result> results = new ArrayList<>();
        try {
            for (CompletableFuture<Result> f : futures) {
                results.add(f.get());
            }
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            throw e;
        } catch (ExecutionException e) {
            throw new IllegalStateException("an instance check failed unexpectedly", e.getCause());
        }
        return results;
    }

    static Result evaluate(InstanceEntry entry, LoopbackHttp.Response response, String nonce, Duration latency) {
        if (response.status() != 200) {
            return new Result(entry, Health.UNHEALTHY, false, latency, "answered HTTP " + response.status());
        }
        String body = response.body();
        if (body == null || body.length() > Json.MAX_DOCUMENT_CHARS) {
            return new Result(entry, Health.UNHEALTHY, false, latency, "answered an oversized body");
        }
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return new Result(entry, Health.UNHEALTHY, false, latency, "answered non-JSON");
        }
        String status = n == null ? "" : n.path("status").asText("");
        if (!status.equalsIgnoreCase("healthy") && !status.equalsIgnoreCase("ok")) {
            return new Result(entry, Health.UNHEALTHY, false, latency, "answered status '" + status + "'");
        }
        if (entry.identity() == null) {
            return new Result(entry, Health.HEALTHY, false, latency, "the entry has no identity: cannot be verified");
        }
        String sig = response.header(dev.portolan.api.registry.InstanceIdentity.SIGNATURE_HEADER).orElse(null);
        if (sig == null) {
            return new Result(entry, Health.HEALTHY, false, latency,
                    "answered without a registry signature: not the registered instance");
        }
        if (!entry.identity().verifies(nonce, entry.port(), sig)) {
            return new Result(entry, Health.HEALTHY, false, latency,
                    "answered with a wrong registry signature: not the registered instance (impostor?)");
        }
        return new Result(entry, Health.HEALTHY, true, latency, "healthy, identity proven (Ed25519 signature)");
    }
}
