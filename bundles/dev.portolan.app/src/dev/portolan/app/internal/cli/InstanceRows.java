package dev.portolan.app.internal.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.core.json.JsonText;
import dev.portolan.core.registry.InstanceCheck;
import dev.portolan.core.registry.RemoteInstances;

/** How {@code list} prints checked instances and registry events (text table, JSON). Never prints a token. */
final class InstanceRows {

    private InstanceRows() {
    }

    private static final List<String> HEADER = List.of("SERVICE", "INSTANCE", "URL", "WHERE", "PID", "UPTIME",
            "VERIFIED", "HEALTH", "LATENCY", "COMMAND");
    /**
     * The text table of {@code results}: a header, one row each; every column as wide as its widest cell, the command
     * (last) as {@link CommandColumn} shows it.
     */
    static List<String> table(List<InstanceCheck.Result> results, Instant now) {
        List<List<String>> rows = new java.util.ArrayList<>();
        rows.add(HEADER);
        for (InstanceCheck.Result r : results) {
            InstanceEntry e = r.entry();
            rows.add(List.of(e.service(), e.instanceId(), e.url().toString(), where(e), Long.toString(e.pid()),
                    uptime(e, now), r.verification(), r.health().name().toLowerCase(Locale.ROOT),
                    r.health() == InstanceCheck.Health.UNREACHABLE ? "-" : r.latency().toMillis() + " ms",
                    CommandColumn.of(e.command())));
        }
        return aligned(rows);
    }

    /** The rows' cells left-aligned in columns as wide as their widest cell, one space apart; the last not padded. */
    private static List<String> aligned(List<List<String>> rows) {
        int columns = rows.get(0).size();
        int[] width = new int[columns];
        for (List<String> row : rows) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], row.get(c).length());
            }
        }
        List<String> lines = new java.util.ArrayList<>();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                line.append(row.get(c));
                if (c < columns - 1) {
                    line.append(" ".repeat(width[c] - row.get(c).length() + 1));
                }
            }
            lines.add(line.toString().stripTrailing());
        }
        return lines;
    }

    /** {@code local} (a loopback URL: this machine) or {@code remote} (docs/registry.md). */
    static String where(InstanceEntry e) {
        return RemoteInstances.isRemote(e) ? "remote" : "local";
    }

    /** {@code 3d4h}, {@code 2h05m}, {@code 4m12s}, {@code 9s}. */
    static String uptime(InstanceEntry e, Instant now) {
        long s = Math.max(0, Duration.between(e.startedAt(), now).toSeconds());
        if (s >= 86400) {
            return s / 86400 + "d" + (s % 86400) / 3600 + "h";
        }
        if (s >= 3600) {
            return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        return s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }

    /** The entry's public fields. */
    static ObjectNode entry(ObjectNode o, InstanceEntry e, Instant now) {
        o.put("service", e.service());
        o.put("instance_id", e.instanceId());
        o.put("url", e.url().toString());
        o.put("health_url", e.healthUrl().toString());
        o.put("port", e.port());
        o.put("remote", RemoteInstances.isRemote(e));
        o.put("pid", e.pid());
        o.put("mode", e.mode());
        if (e.version() != null) {
            o.put("version", e.version());
        }
        o.put("started_at", e.startedAt().toString());
        o.put("uptime_s", Math.max(0, Duration.between(e.startedAt(), now).toSeconds()));
        ArrayNode cmd = o.putArray("command");
        e.command().forEach(cmd::add);
        o.put("has_api_token", e.apiToken() != null);
        return o;
    }

    static ObjectNode checked(ObjectNode o, InstanceCheck.Result r, Instant now) {
        entry(o, r.entry(), now);
        o.put("verification", r.verification());
        o.put("health", r.health().name().toLowerCase(Locale.ROOT));
        if (r.health() != InstanceCheck.Health.UNREACHABLE) {
            o.put("latency_ms", r.latency().toNanos() / 1e6);
        } else {
            o.putNull("latency_ms");
        }
        o.put("detail", r.detail());
        return o;
    }

    /** Per service (in order of first appearance): how many of its instances answered healthy, of how many. */
    record ServiceHealth(String service, int healthy, int total) {
        /** {@code 2/3 healthy}. */
        String summary() {
            return healthy + "/" + total + " healthy";
        }
    }

    static List<ServiceHealth> services(List<InstanceCheck.Result> results) {
        java.util.Map<String, int[]> counts = new java.util.LinkedHashMap<>();
        for (InstanceCheck.Result r : results) {
            int[] c = counts.computeIfAbsent(r.entry().service(), k -> new int[2]);
            c[0] += r.health() == InstanceCheck.Health.HEALTHY ? 1 : 0;
            c[1]++;
        }
        return counts.entrySet().stream().map(e -> new ServiceHealth(e.getKey(), e.getValue()[0], e.getValue()[1]))
                .toList();
    }

    /** The per-service table: {@code SERVICE  INSTANCES}, then {@code default  2/3 healthy} per service. */
    static List<String> servicesTable(List<InstanceCheck.Result> results) {
        List<List<String>> rows = new java.util.ArrayList<>();
        rows.add(List.of("SERVICE", "INSTANCES"));
        services(results).forEach(h -> rows.add(List.of(h.service(), h.summary())));
        return aligned(rows);
    }

    static String json(String registry, List<InstanceCheck.Result> results, List<RegistryEvent> events, Instant now) {
        ObjectNode root = JsonText.object();
        root.put("registry", registry);
        ArrayNode services = root.putArray("services");
        for (ServiceHealth h : services(results)) {
            services.addObject().put("service", h.service()).put("healthy", h.healthy()).put("instances", h.total())
                    .put("summary", h.summary());
        }
        ArrayNode instances = root.putArray("instances");
        results.forEach(r -> checked(instances.addObject(), r, now));
        ArrayNode notes = root.putArray("events");
        events.forEach(e -> event(notes.addObject(), e, null, now));
        return JsonText.write(root);
    }

    /** One event as JSON: {@code event} (kind, lower case), the entry's fields, and the check for live entries. */
    static ObjectNode event(ObjectNode o, RegistryEvent e, InstanceCheck.Result check, Instant now) {
        o.put("event", e.kind().name().toLowerCase(Locale.ROOT));
        if (check != null) {
            checked(o, check, now);
        } else if (e.entry() != null) {
            entry(o, e.entry(), now);
        }
        o.put("detail", e.detail());
        return o;
    }
}
