package dev.portolan.core.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.portolan.api.PortRange;
import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.core.discovery.AtomicFiles;
import dev.portolan.core.discovery.StateDirectory;
import dev.portolan.core.json.Json;

/**
 * Settings: configured values persisted as {@code settings.json} in the state directory, overlaid by the process
 * environment. A corrupt settings file is reported as a problem and replaced on the next update, never fatal.
 */
@Component(service = SettingsService.class, property = "service.ranking:Integer=0")
public final class SettingsServiceImpl implements SettingsService {

    public static final String FILE_NAME = "settings.json";
    /** Looked up on first use: a run that logs nothing never starts the JDK's logging back end (~30 ms). */
    private static final class Log {
        static final System.Logger LOG = System.getLogger(SettingsServiceImpl.class.getName());
    }

    private final Map<String, String> env;
    private final Object lock = new Object();
    private final List<Consumer<PortolanSettings>> listeners = new CopyOnWriteArrayList<>();
    private volatile PortolanSettings configured = PortolanSettings.DEFAULTS;
    private volatile SettingsResolver.Resolution resolution;
    private volatile List<String> fileProblems = List.of();

    public SettingsServiceImpl() {
        this(System.getenv());
    }

    /** For use outside OSGi (benchmarks, the headless command line) with an explicit environment. */
    public SettingsServiceImpl(Map<String, String> env) {
        this.env = Map.copyOf(env);
        this.resolution = SettingsResolver.resolve(configured, this.env);
    }

    @Activate
    void activate() {
        load();
    }

    /** Loads the configured settings from the state directory (defaults when there is no file). */
    public void load() {
        Path file = file();
        List<String> problems = new ArrayList<>();
        PortolanSettings loaded = PortolanSettings.DEFAULTS;
        try {
            // the file first: without one (the usual case) nothing initializes Jackson's mapper, whose first use
            // costs a headless command tens of milliseconds (docs/performance.md)
            String text = Files.readString(file, StandardCharsets.UTF_8);
            loaded = fromJson(Json.MAPPER.readTree(text));
        } catch (NoSuchFileException e) {
            // nothing configured yet
        } catch (IOException | RuntimeException e) {
            problems.add("settings file " + file + " is corrupt (" + Json.problem(e)
                    + "); using defaults, the file is replaced on the next change");
        }
        fileProblems = List.copyOf(problems);
        configured = loaded;
        resolution = SettingsResolver.resolve(loaded, env);
    }

    private static Path file() {
        return StateDirectory.resolve().resolve(FILE_NAME);
    }

    @Override
    public PortolanSettings effective() {
        return resolution.effective();
    }

    @Override
    public PortolanSettings configured() {
        return configured;
    }

    @Override
    public void update(PortolanSettings settings) {
        synchronized (lock) {
            configured = settings;
            resolution = SettingsResolver.resolve(settings, env);
            try {
                AtomicFiles.write(file(), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(toJson(settings)));
                fileProblems = List.of();
            } catch (IOException e) {
                Log.LOG.log(System.Logger.Level.WARNING, "cannot save settings to " + file() + ": " + e, e);
                fileProblems = List.of("cannot save settings to " + file() + ": " + e.getMessage());
            }
        }
        PortolanSettings eff = effective();
        for (Consumer<PortolanSettings> l : listeners) {
            try {
                l.accept(eff);
            } catch (RuntimeException e) {
                Log.LOG.log(System.Logger.Level.WARNING, "settings listener failed", e);
            }
        }
    }

    @Override
    public Map<String, String> environmentOverrides() {
        return resolution.overrides();
    }

    @Override
    public List<String> problems() {
        List<String> all = new ArrayList<>(fileProblems);
        all.addAll(resolution.problems());
        return List.copyOf(all);
    }

    @Override
    public List<String> environmentProblems() {
        return resolution.environmentProblems();
    }

    @Override
    public List<String> fileProblems() {
        return fileProblems;
    }

    @Override
    public List<String> warnings() {
        return resolution.warnings();
    }

    @Override
    public Subscription addListener(Consumer<PortolanSettings> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    static ObjectNode toJson(PortolanSettings s) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("range", s.range().toString());
        o.put("discovery_timeout_ms", s.discoveryTimeout().toMillis());
        o.put("health_interval_ms", s.healthInterval().toMillis());
        o.put("debug", s.debug());
        if (s.overridePort() != null) {
            o.put("override_port", s.overridePort());
        }
        ArrayNode cmd = o.putArray("backend_command");
        s.backendCommand().forEach(cmd::add);
        if (s.backendDirectory() != null) {
            o.put("backend_directory", s.backendDirectory().toString());
        }
        o.put("auto_start_backend", s.autoStartBackend());
        o.put("start_timeout_ms", s.startTimeout().toMillis());
        o.put("instances", s.instances());
        ArrayNode patterns = o.putArray("output_patterns");
        s.outputPatterns().forEach(patterns::add);
        return o;
    }

    static PortolanSettings fromJson(JsonNode n) throws IOException {
        if (n == null || !n.isObject()) {
            throw new IOException("not a JSON object");
        }
        PortolanSettings d = PortolanSettings.DEFAULTS;
        List<String> cmd = new ArrayList<>();
        n.path("backend_command").forEach(c -> cmd.add(c.asText()));
        return new PortolanSettings(n.has("range") ? PortRange.parse(n.get("range").asText()) : d.range(),
                Duration.ofMillis(n.path("discovery_timeout_ms").asLong(d.discoveryTimeout().toMillis())),
                Duration.ofMillis(n.path("health_interval_ms").asLong(d.healthInterval().toMillis())),
                n.path("debug").asBoolean(d.debug()),
                n.path("override_port").isIntegralNumber() ? n.get("override_port").intValue() : null, cmd,
                n.hasNonNull("backend_directory") ? Path.of(n.get("backend_directory").asText()) : null,
                n.path("auto_start_backend").asBoolean(d.autoStartBackend()),
                Duration.ofMillis(n.path("start_timeout_ms").asLong(d.startTimeout().toMillis())),
                instances(n.get("instances")), strings(n.path("output_patterns")));
    }

    /** An array of strings (absent: none); anything else makes the file corrupt. */
    private static List<String> strings(JsonNode v) throws IOException {
        List<String> out = new ArrayList<>();
        if (v.isMissingNode() || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            throw new IOException("\"output_patterns\": " + v + " is not an array of strings");
        }
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw new IOException("\"output_patterns\": " + e + " is not a string");
            }
            out.add(e.asText());
        }
        return out;
    }

    /** The {@code instances} key: absent means one; anything but a whole number 1-64 makes the file corrupt. */
    private static int instances(JsonNode v) throws IOException {
        if (v == null || v.isNull()) {
            return 1;
        }
        if (!v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > PortolanSettings.MAX_INSTANCES) {
            throw new IOException("\"instances\": " + v + " is not a whole number 1-" + PortolanSettings.MAX_INSTANCES);
        }
        return v.intValue();
    }
}
