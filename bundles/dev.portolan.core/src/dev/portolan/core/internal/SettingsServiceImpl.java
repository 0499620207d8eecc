package dev.portolan.core.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.core.discovery.AtomicFiles;
import dev.portolan.core.discovery.StateDirectory;
import dev.portolan.core.json.JsonText;

/**
 * Settings: configured values persisted as {@code settings.json} in the state directory, overlaid by the process
 * environment. A bad value in the settings file, or a corrupt file, is reported as a problem naming it and never fatal
 * ({@link #load}); the next update keeps the file as it was beside the new one.
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
    /** The bytes of a file that had problems, until the next change keeps them aside (guarded by lock). */
    private byte[] unused;

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

    /**
     * Loads the configured settings from the state directory (defaults when there is no file). A key with a bad value
     * is named and its default used, the other keys keep theirs; a file that is not a JSON object gives the defaults.
     * Either way the file as it was is kept as {@code settings.json.corrupt} when the next change replaces it.
     */
    public void load() {
        Path file = file();
        List<String> problems = new ArrayList<>();
        PortolanSettings loaded = PortolanSettings.DEFAULTS;
        byte[] bytes = null;
        try {
            // the file first: without one (the usual case) nothing initializes Jackson's mapper, whose first use
            // costs a headless command tens of milliseconds (docs/performance.md)
            bytes = Files.readAllBytes(file);
            SettingsFile.Read read = SettingsFile.fromJson(JsonText.parse(
                    StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString()));
            loaded = read.settings();
            read.problems().forEach(p -> problems.add("settings file " + file + ": " + p));
        } catch (NoSuchFileException e) {
            // nothing configured yet
        } catch (IOException | RuntimeException e) {
            problems.add(bytes == null // unreadable (permissions, a folder): nothing to keep
                    ? "settings file " + file + " cannot be read (" + e + "); using defaults"
                    : "settings file " + file + " is corrupt (" + JsonText.problem(e) + "); using defaults (the next "
                            + "change saves a new file and keeps this one as " + aside(file).getFileName() + ")");
        }
        synchronized (lock) {
            unused = problems.isEmpty() ? null : bytes;
            fileProblems = List.copyOf(problems);
            configured = loaded;
            resolution = SettingsResolver.resolve(loaded, env);
        }
    }

    /** Where the next change keeps a file that had problems: {@code settings.json.corrupt}. */
    static Path aside(Path file) {
        return file.resolveSibling(file.getFileName() + ".corrupt");
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
        Path file = file();
        String kept = null;
        IOException failed = null;
        synchronized (lock) {
            configured = settings;
            resolution = SettingsResolver.resolve(settings, env);
            try {
                if (unused != null) { // what the file said and was not used: kept, not lost to this change
                    AtomicFiles.write(aside(file), unused);
                    unused = null;
                    kept = "settings file " + file + " had values that were not used (said when it was read): kept "
                            + "as " + aside(file) + "; the new settings are saved";
                }
                AtomicFiles.write(file, JsonText.writePretty(
                        SettingsFile.toJson(settings)).getBytes(StandardCharsets.UTF_8));
                fileProblems = List.of();
            } catch (IOException e) {
                failed = e;
                fileProblems = List.of("cannot save settings to " + file + ": " + e.getMessage());
            }
        }
        // logged outside the lock: a log handler is somebody else's code
        if (kept != null) {
            Log.LOG.log(System.Logger.Level.WARNING, kept);
        }
        if (failed != null) {
            Log.LOG.log(System.Logger.Level.WARNING, "cannot save settings to " + file + ": " + failed, failed);
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
}
