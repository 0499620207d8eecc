package dev.portolan.ui.internal.diagnostics;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.ui.internal.model.InstanceRow;
import dev.portolan.ui.internal.model.StatusSnapshot.StatusEvent;
import dev.portolan.ui.internal.view.Formats;
import dev.portolan.ui.internal.view.VerificationText;

/**
 * The Copy Diagnostics report (docs/ui.md): plain Markdown built from values the handler gathered, no SWT and no
 * services, so it is tested directly. Secrets never appear: every value in {@link Input#secrets()} is replaced by
 * {@value #REDACTED}, and so is whatever looks like a bearer token or a {@code token}/{@code api_token}/
 * {@code identity_key} value in the copied text (a backend may print its own).
 */
public final class DiagnosticsReport {

    public static final String REDACTED = "[redacted]";
    /** Log lines of each sidecar in the report. */
    public static final int LOG_LINES = 40;
    /** Recent events in the report. */
    public static final int EVENTS = 50;
    private static final Pattern SECRET_PATTERNS = Pattern.compile(
            "(?i)(bearer\\s+|\"(?:token|api_token|identity_key|apiToken|identityKey)\"\\s*:\\s*\"|"
                    + "(?:PORTOLAN_TOKEN|PORTOLAN_API_TOKEN|PORTOLAN_IDENTITY_KEY|token|api_token|identity_key)=)"
                    + "[A-Za-z0-9._~+/=-]{6,}");

    /** One setting: its effective value and where that comes from ({@code default}, {@code configured}, {@code environment VAR}). */
    public record Setting(String name, String value, String source) {
    }

    /** One sidecar's log: which instance, its file, its last lines (empty when it has no file). */
    public record SidecarLog(String instance, Path file, List<String> tail, String failure) {
    }

    /**
     * What goes into the report.
     *
     * @param portolanVersion the version of the Portolan UI bundle (the product's)
     * @param bundles         Portolan bundles: symbolic name to version and state
     * @param java            e.g. {@code 25.0.3 (Eclipse Adoptium) /usr/lib/jvm/...}
     * @param os              e.g. {@code Linux 6.1.0 amd64}
     * @param settings        every setting with its source
     * @param problems        problems with environment values (settings service)
     * @param endpoint        the tracker's status, {@code null} without tracker
     * @param instances       the instances table's rows
     * @param registries      where the registries in use keep their entries, each with "unreachable since …" while
     *                        it does not answer
     * @param events          the view's event log, newest last
     * @param logs            each sidecar's log
     * @param metrics         the metrics service's Prometheus text, {@code null} when absent
     * @param secrets         values that must not appear (tokens, keys)
     */
    public record Input(Instant generatedAt, String portolanVersion, Map<String, String> bundles, String java, String os,
            List<Setting> settings, List<String> problems, EndpointStatus endpoint, List<InstanceRow> instances,
            List<String> registries, List<StatusEvent> events, List<SidecarLog> logs,
            String metrics, Set<String> secrets) {
    }

    private DiagnosticsReport() {
    }

    /** The report as Markdown, secrets redacted. */
    public static String build(Input in) {
        StringBuilder b = new StringBuilder();
        b.append("# Portolan diagnostics\n\n");
        b.append("Generated ").append(in.generatedAt()).append("\n\n");
        versions(b, in);
        settings(b, in);
        endpoint(b, in.endpoint());
        instances(b, in.instances());
        registries(b, in);
        events(b, in.events());
        logs(b, in.logs());
        b.append("## Metrics\n\n");
        if (in.metrics() == null || in.metrics().isBlank()) {
            b.append("No metrics service is running.\n");
        } else {
            fenced(b, in.metrics().lines().toList());
        }
        return redact(b.toString(), in.secrets());
    }

    /** {@code text} with every secret and every token-looking value replaced by {@value #REDACTED}. */
    public static String redact(String text, Set<String> secrets) {
        String out = text;
        List<String> longestFirst = new ArrayList<>(secrets);
        longestFirst.sort(Comparator.comparingInt(String::length).reversed());
        for (String s : longestFirst) {
            if (s != null && s.length() >= 6) { // shorter strings would blank out ordinary words
                out = out.replace(s, REDACTED);
            }
        }
        return SECRET_PATTERNS.matcher(out).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(m.group(1) + REDACTED));
    }

    private static void versions(StringBuilder b, Input in) {
        b.append("## Versions\n\n");
        b.append("- Portolan: ").append(in.portolanVersion()).append('\n');
        b.append("- Java: ").append(in.java()).append('\n');
        b.append("- OS: ").append(in.os()).append("\n\n");
        table(b, List.of("bundle", "version"), in.bundles().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> List.of(e.getKey(), e.getValue())).toList());
    }

    private static void settings(StringBuilder b, Input in) {
        b.append("## Settings\n\n");
        table(b, List.of("setting", "value", "source"),
                in.settings().stream().map(s -> List.of(s.name(), s.value(), s.source())).toList());
        for (String p : in.problems()) {
            b.append("- problem: ").append(p).append('\n');
        }
        if (!in.problems().isEmpty()) {
            b.append('\n');
        }
    }

    private static void endpoint(StringBuilder b, EndpointStatus s) {
        b.append("## Endpoint\n\n");
        if (s == null) {
            b.append("No endpoint tracker is running.\n\n");
            return;
        }
        b.append("- state: ").append(s.state()).append('\n');
        s.endpointOptional().ifPresent(e -> b.append("- url: ").append(e.baseUrl()).append(" (port ").append(e.port())
                .append(", via ").append(e.source()).append(", ").append(VerificationText.of(e.verification()))
                .append(e.pid() == null ? "" : ", pid " + e.pid()).append(")\n"));
        b.append("- last check: ").append(s.lastCheck() == null ? "–" : s.lastCheck().toString())
                .append(", latency ").append(millis(s.latency())).append('\n');
        if (s.message() != null && !s.message().isBlank()) {
            b.append("- message: ").append(s.message()).append('\n');
        }
        b.append('\n');
    }

    private static void instances(StringBuilder b, List<InstanceRow> rows) {
        b.append("## Instances\n\n");
        if (rows.isEmpty()) {
            b.append("No instances.\n\n");
            return;
        }
        table(b, List.of("instance", "state", "verification", "port", "pid", "latency", "serving", "restarts", "message"),
                rows.stream().map(r -> List.of(r.name(), String.valueOf(r.state()),
                        r.endpoint() == null ? "–" : VerificationText.of(r.endpoint().verification()),
                        r.endpoint() == null ? "–" : String.valueOf(r.endpoint().port()),
                        r.pid() == null ? "–" : String.valueOf(r.pid()), millis(r.latency()),
                        r.serving() ? "yes" : "no", String.valueOf(r.restarts()),
                        r.message() == null ? "" : r.message())).toList());
    }

    private static void registries(StringBuilder b, Input in) {
        b.append("## Registries\n\n");
        if (in.registries().isEmpty()) {
            b.append("No registry service is running.\n");
        }
        for (String r : in.registries()) {
            b.append("- ").append(r).append('\n');
        }
        b.append('\n');
    }

    private static void events(StringBuilder b, List<StatusEvent> events) {
        b.append("## Recent events\n\n");
        List<StatusEvent> last = events.subList(Math.max(0, events.size() - EVENTS), events.size());
        if (last.isEmpty()) {
            b.append("No events.\n\n");
            return;
        }
        table(b, List.of("time", "source", "result", "elapsed", "detail"), last.stream().map(e -> List.of(
                String.valueOf(e.time()), e.source(), e.result(), millis(e.elapsed()),
                e.detail() == null ? "" : e.detail())).toList());
    }

    private static void logs(StringBuilder b, List<SidecarLog> logs) {
        b.append("## Sidecar logs\n\n");
        if (logs.isEmpty()) {
            b.append("No sidecars launched by this front end.\n\n");
        }
        for (SidecarLog l : logs) {
            b.append("### ").append(l.instance()).append("\n\n");
            b.append("- file: ").append(l.file() == null ? "none" : l.file().toString()).append('\n');
            if (l.failure() != null) {
                b.append("- failure: ").append(l.failure().lines().findFirst().orElse("")).append('\n');
            }
            b.append('\n');
            fenced(b, l.tail());
        }
    }

    private static void fenced(StringBuilder b, List<String> lines) {
        b.append("```\n");
        for (String line : lines) {
            b.append(line.replace("```", "'''")).append('\n');
        }
        b.append("```\n\n");
    }

    private static void table(StringBuilder b, List<String> header, List<List<String>> rows) {
        b.append("| ").append(String.join(" | ", header)).append(" |\n");
        b.append("|").append("---|".repeat(header.size())).append('\n');
        for (List<String> row : rows) {
            b.append("| ").append(String.join(" | ", row.stream().map(DiagnosticsReport::cell).toList())).append(" |\n");
        }
        b.append('\n');
    }

    private static String cell(String v) {
        return v == null ? "" : v.replace("|", "\\|").replace("\r", " ").replace("\n", " ");
    }

    private static String millis(Duration d) {
        return d == null ? "–" : Formats.millis(d);
    }
}
