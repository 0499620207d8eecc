package dev.portolan.core.registry;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import dev.portolan.core.json.JsonText;
import dev.portolan.core.protocol.IdentityProof;

/**
 * Checks a registered instance: {@code GET /health} with a fresh {@code X-Portolan-Challenge}, healthy only for a
 * {@code 200} with status {@code healthy}, verified only when {@code X-Portolan-Signature} is the entry's key's
 * Ed25519 signature for that nonce on the entry's port. An entry is a claim: nothing else makes it trusted, except,
 * for an entry without an identity in this machine's registry, its process: given a {@link SocketOwnership}, such an
 * entry is verified ({@link Verification#PROCESS}) when its pid's process tree holds the entry's port. An entry without
 * identity is healthy by the adoption rule ({@link HealthProbe#adoptionRuleAsync}: it may never have heard of
 * Portolan).
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

        /**
         * What proves the instance: {@link Verification#CHALLENGE} (its identity), {@link Verification#PROCESS} (an
         * entry without identity whose process holds its port) or {@link Verification#NONE}.
         * @since 0.1.4
         */
        public Verification proof() {
            return !verified ? Verification.NONE : entry.identity() != null ? Verification.CHALLENGE
                    : Verification.PROCESS;
        }

        /** The endpoint of a trusted instance (verified by its {@link #proof()}), attributed to {@code source}. */
        public Endpoint endpoint(String source) {
            Verification v = trusted() ? proof() : Verification.NONE;
            return new Endpoint(entry.url(), entry.port(), entry.url().resolve("/docs"), entry.healthUrl(), source,
                    v.isVerified(), entry.pid(), v);
        }
    }

    /** Checks one entry; the future never fails (a failure is a result). */
    public static CompletableFuture<Result> checkAsync(InstanceEntry entry, Duration timeout) {
        return checkAsync(entry, timeout, null);
    }

    /**
     * Checks one entry; {@code owners}: the ownership check of the entry's registry ({@link
     * SocketOwnership#forRegistry}), or {@code null} (an entry without identity is then never verified). The future
     * never fails (a failure is a result).
     * @since 0.1.4
     */
    public static CompletableFuture<Result> checkAsync(InstanceEntry entry, Duration timeout,
            SocketOwnership owners) {
        Duration t = timeout.isZero() || timeout.isNegative() ? Duration.ofMillis(1) : timeout;
        long t0 = System.nanoTime();
        if (entry.identity() == null) {
            return HealthProbe.adoptionRuleAsync(entry.healthUrl(), t).handle((answer, error) -> {
                Duration latency = Duration.ofNanos(System.nanoTime() - t0);
                if (error != null) {
                    return new Result(entry, Health.UNREACHABLE, false, latency, HealthProbe.describe(error, timeout));
                }
                return owned(entry, answer, owners, latency);
            });
        }
        String nonce = IdentityProof.newNonce();
        return ProbeHttp.get(entry.healthUrl(), Map.of("Accept", "application/json", IdentityProof.CHALLENGE_HEADER, nonce),
                t).handle((response, error) -> {
                    Duration latency = Duration.ofNanos(System.nanoTime() - t0);
                    if (error != null) {
                        return new Result(entry, Health.UNREACHABLE, false, latency, HealthProbe.describe(error, timeout));
                    }
                    return evaluate(entry, response, nonce, latency);
                });
    }

    /**
     * An entry without identity, judged by the adoption rule: verified when {@code owners} is given (its registry is
     * this machine's) and its process holds its port (read here: a blocking look at /proc).
     */
    private static Result owned(InstanceEntry entry, HealthProbe.AdoptionAnswer answer, SocketOwnership owners,
            Duration latency) {
        if (!answer.healthy()) {
            return new Result(entry, Health.UNHEALTHY, false, latency, answer.detail());
        }
        if (owners == null) {
            return new Result(entry, Health.HEALTHY, false, latency, "the entry has no identity: cannot be verified;"
                    + " without one, only an entry of this machine's registry is verified, by its process");
        }
        Optional<String> problem = owners.problem(entry);
        return problem.map(p -> new Result(entry, Health.HEALTHY, false, latency, answer.detail()
                + ", but its process does not prove it: " + p))
                .orElseGet(() -> new Result(entry, Health.HEALTHY, true, latency, answer.detail()
                        + ", port " + entry.port() + " held by the entry's process " + entry.pid()
                        + " (no identity: its process is the proof)"));
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
        return checkStarting(entry, timeout, grace, null);
    }

    /** {@link #checkStarting(InstanceEntry, Duration, Duration)} with the registry's ownership check. @since 0.1.4 */
    public static CompletableFuture<Result> checkStarting(InstanceEntry entry, Duration timeout, Duration grace,
            SocketOwnership owners) {
        CompletableFuture<Result> result = new CompletableFuture<>();
        tryStarting(entry, timeout, grace, owners, System.nanoTime() + grace.toNanos(), 1, result);
        return result;
    }

    private static void tryStarting(InstanceEntry entry, Duration timeout, Duration grace, SocketOwnership owners,
            long deadline, int tries, CompletableFuture<Result> result) {
        if (result.isDone()) { // cancelled
            return;
        }
        checkAsync(entry, timeout, owners).thenAccept(r -> {
            long left = deadline - System.nanoTime();
            if (r.health() != Health.UNREACHABLE) {
                result.complete(r);
            } else if (left <= 0) {
                result.complete(tries == 1 ? r : new Result(entry, r.health(), false, r.latency(), r.detail()
                        + " (tried " + tries + " times over " + grace.toMillis() + " ms)"));
            } else {
                CompletableFuture.delayedExecutor(Math.min(STARTING_PAUSE.toNanos(), left), TimeUnit.NANOSECONDS,
                        DIRECT).execute(() -> tryStarting(entry, timeout, grace, owners, deadline, tries + 1, result));
            }
        });
    }

    /** Checks entries concurrently and waits for all; results in the entries' order. */
    public static List<Result> checkAll(List<InstanceEntry> entries, Duration timeout) throws InterruptedException {
        return checkAll(entries, timeout, e -> null);
    }

    /**
     * Checks entries concurrently, each with the ownership check {@code owners} gives for it (the one of the registry
     * that listed it, or {@code null}), and waits for all; results in the entries' order.
     * @since 0.1.4
     */
    public static List<Result> checkAll(List<InstanceEntry> entries, Duration timeout,
            java.util.function.Function<InstanceEntry, SocketOwnership> owners) throws InterruptedException {
        List<CompletableFuture<Result>> futures = new ArrayList<>();
        for (InstanceEntry e : entries) {
            futures.add(checkAsync(e, timeout, owners.apply(e)));
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
            n = JsonText.parse(body);
        } catch (IOException e) {
            return new Result(entry, Health.UNHEALTHY, false, latency, "answered non-JSON");
        }
        String status = n == null ? "" : n.path("status").asText("");
        if (!status.equalsIgnoreCase("healthy") && !status.equalsIgnoreCase("ok")) {
            return new Result(entry, Health.UNHEALTHY, false, latency, "answered status '" + status + "'");
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
