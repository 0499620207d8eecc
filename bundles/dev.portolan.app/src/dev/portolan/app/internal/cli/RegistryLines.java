package dev.portolan.app.internal.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.core.json.JsonText;
import dev.portolan.core.registry.InstanceCheck;
import dev.portolan.core.registry.SocketOwnership;

/**
 * The lines of a registry watch ({@code list --watch}, {@code watch} without a feed), printed in order by one thread:
 * first the instances registered when the watch started ({@code listed}), then every change ({@code registered},
 * {@code changed}, {@code deregistered}, {@code reaped}, {@code problem}). The watch is set up before the listing is
 * read, so a change can reach both: an instance that an event mentioned before the listing was printed is not listed,
 * and a registration the listing showed already is not printed again when its event comes late. Each live instance
 * is checked with a fresh challenge; one that does not answer yet (a backend registers as it starts serving) is tried
 * again for up to {@link #STARTING_GRACE}, and the lines after it wait. Not thread-safe: one printer thread calls it.
 */
final class RegistryLines {

    /** How long a live instance that does not answer yet is tried again before its line. */
    static final Duration STARTING_GRACE = Duration.ofSeconds(10);
    /** The event of an instance registered before the watch started. */
    static final String LISTED = "listed";

    private final boolean json;
    private final PrintStream out;
    /** Instances as printed last, by {@link #key}. */
    private final Map<String, InstanceEntry> known = new HashMap<>();
    /** Instances an event mentioned before the listing was printed. */
    private final Set<String> mentioned = new HashSet<>();
    private boolean listed;
    /** The ownership check of the watched registry's entries without identity, or null. */
    private final SocketOwnership owners;

    /**
     * @param json   the JSON objects of {@code list --watch}, else one readable line each
     * @param owners the watched registry's ownership check ({@link RegistryWatching#owners}), or null
     */
    RegistryLines(boolean json, PrintStream out, SocketOwnership owners) {
        this.json = json;
        this.out = out;
        this.owners = owners;
    }

    /** Checks {@code e} as {@code list} does, giving an instance that is still starting its grace. */
    private CompletableFuture<InstanceCheck.Result> startCheck(InstanceEntry e) {
        return InstanceCheck.checkStarting(e, ListCommand.CHECK_TIMEOUT, STARTING_GRACE, owners);
    }

    /** Prints the instances registered when the watch started (checked concurrently), as {@code listed} lines. */
    void listed(List<InstanceEntry> entries) {
        listed = true;
        List<InstanceEntry> shown = new ArrayList<>();
        List<CompletableFuture<InstanceCheck.Result>> checks = new ArrayList<>();
        for (InstanceEntry e : entries) {
            if (!mentioned.contains(key(e))) {
                shown.add(e);
                checks.add(startCheck(e));
            }
        }
        mentioned.clear();
        for (int i = 0; i < shown.size(); i++) {
            InstanceCheck.Result check = await(checks.get(i));
            if (check == null) { // interrupted: the watch ends
                checks.forEach(c -> c.cancel(true));
                return;
            }
            InstanceEntry e = shown.get(i);
            known.put(key(e), e);
            ObjectNode o = InstanceRows.event(JsonText.object(),
                    new RegistryEvent(RegistryEvent.Kind.REGISTERED, e, "registered before the watch started"), check,
                    Instant.now());
            o.put("event", LISTED);
            print(o);
        }
    }

    /** Prints one change, unless it is a registration the listing showed already. */
    void changed(RegistryEvent e) {
        InstanceCheck.Result check = null;
        InstanceEntry entry = e.entry();
        if (entry != null) {
            String key = key(entry);
            if (!listed) {
                mentioned.add(key);
            }
            switch (e.kind()) {
            case REGISTERED, CHANGED -> {
                if (entry.equals(known.put(key, entry))) {
                    return; // the listing (or the line before) showed this very entry
                }
                CompletableFuture<InstanceCheck.Result> checking = startCheck(entry);
                check = await(checking);
                if (check == null) {
                    checking.cancel(true);
                    return;
                }
            }
            case DEREGISTERED, REAPED -> known.remove(key);
            default -> {
            }
            }
        }
        print(InstanceRows.event(JsonText.object(), e, check, Instant.now()));
    }

    /** {@code registered web/web-1 http://127.0.0.1:8009 pid=4242 verified healthy 0.8 ms}; a problem: its detail. */
    static String text(JsonNode o) {
        StringBuilder sb = new StringBuilder(o.path("event").asText());
        if (o.has("service")) {
            sb.append(' ').append(o.path("service").asText()).append('/').append(o.path("instance_id").asText())
                    .append(' ').append(o.path("url").asText()).append(" pid=").append(o.path("pid").asLong());
        }
        if (o.has("verification")) {
            sb.append(' ').append(o.path("verification").asText()).append(' ').append(o.path("health").asText());
            if (o.hasNonNull("latency_ms")) {
                sb.append(String.format(Locale.ROOT, " %.1f ms", o.path("latency_ms").asDouble()));
            }
        }
        String detail = o.path("detail").asText();
        if (!detail.isEmpty() && !o.has("verification")) {
            sb.append(" (").append(detail).append(')');
        }
        return sb.toString();
    }

    private void print(ObjectNode o) {
        try {
            String line = json ? JsonText.write(o) : text(o);
            synchronized (out) {
                out.println(line);
                out.flush();
            }
        } catch (Exception ex) {
            System.err.println("portolan: cannot print a registry event: " + ex);
        }
    }

    private static String key(InstanceEntry e) {
        return e.service() + "/" + e.instanceId();
    }

    /** The check's result; {@code null} when the printer thread is interrupted (the watch ends). */
    private static InstanceCheck.Result await(CompletableFuture<InstanceCheck.Result> check) {
        try {
            return check.get();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException ex) { // never: a failed check is a result
            throw new IllegalStateException("an instance check failed unexpectedly", ex.getCause());
        }
    }
}
