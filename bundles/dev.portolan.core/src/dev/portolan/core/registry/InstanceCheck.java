package dev.portolan.core.registry;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

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

    /** The pause between two tries of {@link #checkStarting}. */
    static final Duration STARTING_PAUSE = Duration.ofMillis(200);
    /**
     * Runs the next try of {@link #checkStarting} on the JDK's delay thread: it only sends a request (the probe's
     * threads do the I/O), so it never holds that shared thread up.
     */
    private static final Executor DIRECT = Runnable::run;

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

    /**
     * Checks an entry that has just been registered. A backend writes its entry as it starts serving, so the first
     * request may find it still starting: while the instance does not answer ({@link Health#UNREACHABLE}: refused, or
     * no answer within {@code timeout}) it is tried again, {@link #STARTING_PAUSE} after each try, until it answers
     * or {@code grace} has passed since this call. An answer of any kind ends the check at once: an unhealthy
     * instance or an impostor is reported as such on its first answer, never retried into a better result. The
     * future never fails; cancelling it stops the tries (one in flight ends within {@code timeout}).
     */
    public static CompletableFuture<Result> checkStarting(InstanceEntry entry, Duration timeout, Duration grace) {
        CompletableFuture<Result> result = new CompletableFuture<>();
        tryStarting(entry, timeout, grace, System.nanoTime() + grace.toNanos(), 1, result);
        return result;
    }

    private static void tryStarting(InstanceEntry entry, Duration timeout, Duration grace, long deadline, int tries,
            CompletableFuture<Result> result) {
        if (result.isDone()) { // cancelled
            return;
        }
        checkAsync(entry, timeout).thenAccept(r -> {
            long left = deadline - System.nanoTime();
            if (r.health() != Health.UNREACHABLE) {
                result.complete(r);
            } else if (left <= 0) {
                result.complete(tries == 1 ? r : new Result(entry, r.health(), false, r.latency(), r.detail()
                        + " (tried " + tries + " times over " + grace.toMillis() + " ms)"));
            } else {
                CompletableFuture.delayedExecutor(Math.min(STARTING_PAUSE.toNanos(), left), TimeUnit.NANOSECONDS,
                        DIRECT).execute(() -> tryStarting(entry, timeout, grace, deadline, tries + 1, result));
            }
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
                    "answered with a wrong registry signature: not the registered instance (another instance on its "
                            + "port, or an impostor)");
        }
        return new Result(entry, Health.HEALTHY, true, latency, "healthy, identity proven (Ed25519 signature)");
    }
}
