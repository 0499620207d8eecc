package dev.portolan.launch.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.core.discovery.StateDirectory;

/**
 * Where the sidecars' log files go (docs/launcher.md, "Log files"): {@code <state>/logs/<service>/<instance-id>.log},
 * the service and instance id from the launch's {@code PORTOLAN_SERVICE} / {@code PORTOLAN_INSTANCE_ID} (defaults
 * {@code default} and {@code <service>-1}), rotated at {@value #DEFAULT_MAX_BYTES} bytes, {@value #DEFAULT_FILES}
 * files kept; the system properties {@value #MAX_BYTES_PROPERTY} and {@value #FILES_PROPERTY} change that, and
 * {@value #DIR_PROPERTY} the folder. One
 * writer thread ({@code portolan-logwriter}) writes every sidecar's file.
 */
final class SidecarLogs {

    private static final System.Logger LOG = System.getLogger(SidecarLogs.class.getName());
    static final long DEFAULT_MAX_BYTES = 1024 * 1024;
    static final int DEFAULT_FILES = 3;
    static final String MAX_BYTES_PROPERTY = "portolan.sidecarLog.maxBytes";
    static final String FILES_PROPERTY = "portolan.sidecarLog.files";
    /** Overrides the folder of the log files (default {@code <state directory>/logs}). */
    static final String DIR_PROPERTY = "portolan.sidecarLog.dir";
    /** Folder of the log files inside the state directory. */
    static final String FOLDER = "logs";
    private static final Pattern SAFE = Pattern.compile("[a-z0-9._-]{1,64}");

    private final java.util.Set<SidecarLogFile> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "portolan-logwriter");
        t.setDaemon(true);
        return t;
    });

    /** Opens the log of a new launch ({@code launchId}: the launcher's id, for a name no other launch holds); null when it cannot. */
    SidecarLogFile open(LaunchSpec spec, String launchId) {
        String service = safe(spec.environment().get(EnvironmentVariables.PORTOLAN_SERVICE), "default");
        String instance = safe(spec.environment().get(EnvironmentVariables.PORTOLAN_INSTANCE_ID), service + "-1");
        String override = System.getProperty(DIR_PROPERTY);
        Path dir = (override != null && !override.isBlank() ? Path.of(override).toAbsolutePath()
                : StateDirectory.resolve().resolve(FOLDER)).resolve(service);
        try {
            SidecarLogFile log = SidecarLogFile.open(dir, instance,
                    instance + "-" + ProcessHandle.current().pid() + "-" + launchId,
                    number(MAX_BYTES_PROPERTY, DEFAULT_MAX_BYTES, 1024), (int) number(FILES_PROPERTY, DEFAULT_FILES, 1),
                    writer);
            open.add(log);
            return log;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "no log file for " + spec.command().get(0) + " in " + dir + ": " + e);
            return null;
        }
    }

    /** Writes what {@code log} has queued, closes it and releases its name. */
    void close(SidecarLogFile log) {
        open.remove(log);
        log.close();
    }

    /** Closes every log still open, writes what is queued (bounded wait) and ends the writer thread. */
    void close() {
        for (SidecarLogFile log : java.util.List.copyOf(open)) {
            close(log);
        }
        writer.shutdown();
        try {
            writer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String safe(String value, String otherwise) {
        return value != null && SAFE.matcher(value).matches() ? value : otherwise;
    }

    private static long number(String property, long otherwise, long min) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            return otherwise;
        }
        try {
            return Math.max(min, Long.parseLong(v.strip()));
        } catch (NumberFormatException e) {
            LOG.log(System.Logger.Level.WARNING, "-D" + property + "='" + v + "' is not a number; using " + otherwise);
            return otherwise;
        }
    }
}
