package dev.portolan.launch.internal;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import dev.portolan.api.launch.LaunchException;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.RestartPolicy;

/** Checks a {@link LaunchSpec} before anything starts and resolves the executable to an absolute path. */
final class SpecValidator {

    private static final Pattern PYTHON = Pattern.compile("python(\\d+(\\.\\d+)*)?w?");

    private SpecValidator() {
    }

    /** The command with its executable resolved to an absolute path; throws INVALID_SPEC naming the bad value. */
    static List<String> validate(LaunchSpec spec) throws LaunchException {
        Path dir = spec.workingDirectory();
        if (dir != null) {
            if (!Files.exists(dir)) {
                throw invalid("working directory does not exist: " + dir);
            }
            if (!Files.isDirectory(dir)) {
                throw invalid("working directory is not a directory: " + dir);
            }
        }
        for (Path p : spec.reloadOn()) {
            if (!Files.exists(p)) {
                throw invalid("reload path does not exist: " + p + " (--reload-on / reloadOn)");
            }
        }
        try {
            new OutputPatterns(spec.adoption().outputPatterns());
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        for (String arg : spec.command()) {
            if (arg == null || arg.indexOf('\0') >= 0) {
                throw invalid("command argument contains a NUL character or is null: " + spec.command());
            }
        }
        for (Map.Entry<String, String> e : spec.environment().entrySet()) {
            String name = e.getKey();
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                throw invalid("environment variable name is invalid: '" + name + "'");
            }
            if (e.getValue().indexOf('\0') >= 0) {
                throw invalid("environment variable " + name + " contains a NUL character");
            }
        }
        if (spec.fixedPort() != null && (spec.fixedPort() < 0 || spec.fixedPort() > 65535)) {
            throw invalid("fixedPort (API_PORT) out of range 0-65535: " + spec.fixedPort());
        }
        positive("announcementTimeout", spec.announcementTimeout());
        if (spec.gracefulStopTimeout().isNegative()) {
            throw invalid("gracefulStopTimeout is negative: " + spec.gracefulStopTimeout());
        }
        RestartPolicy p = spec.restartPolicy();
        if (p.enabled()) {
            if (p.initialBackoff().isNegative() || p.maxBackoff().compareTo(p.initialBackoff()) < 0) {
                throw invalid("restart policy backoff must satisfy 0 <= initialBackoff <= maxBackoff: "
                        + p.initialBackoff() + ", " + p.maxBackoff());
            }
            positive("restart policy window", p.window());
        }
        List<String> command = new ArrayList<>(spec.command());
        command.set(0, resolveExecutable(command.get(0), dir, spec.environment()).toString());
        return command;
    }

    /** Whether the command runs a Python interpreter (PYTHONUNBUFFERED=1 is then set by default). */
    static boolean isPython(String executable) {
        String name = Path.of(executable).getFileName().toString();
        return PYTHON.matcher(name).matches();
    }

    private static Path resolveExecutable(String exe, Path dir, Map<String, String> env) throws LaunchException {
        if (exe.isBlank()) {
            throw invalid("executable is empty");
        }
        Path candidate;
        try {
            if (exe.indexOf('/') >= 0) {
                Path p = Path.of(exe);
                candidate = p.isAbsolute() ? p : (dir != null ? dir : Path.of("")).resolve(p).toAbsolutePath();
                checkExecutable(exe, candidate);
                return candidate;
            }
            String path = env.containsKey("PATH") ? env.get("PATH") : System.getenv("PATH");
            if (path == null || path.isEmpty()) {
                throw invalid("executable '" + exe + "' not found: PATH is empty");
            }
            Path nonExecutable = null;
            for (String entry : path.split(File.pathSeparator)) {
                if (entry.isEmpty()) {
                    continue;
                }
                Path p = Path.of(entry).resolve(exe);
                if (Files.isRegularFile(p)) {
                    if (Files.isExecutable(p)) {
                        return p.toAbsolutePath();
                    }
                    nonExecutable = nonExecutable == null ? p : nonExecutable;
                }
            }
            if (nonExecutable != null) {
                throw invalid("executable '" + exe + "' found on PATH only as a non-executable file: " + nonExecutable);
            }
            throw invalid("executable '" + exe + "' not found on PATH (" + path + ")");
        } catch (InvalidPathException e) {
            throw invalid("executable is not a valid path: '" + exe + "' (" + e.getMessage() + ")");
        }
    }

    private static void checkExecutable(String given, Path p) throws LaunchException {
        if (!Files.exists(p)) {
            throw invalid("executable does not exist: " + given + (given.equals(p.toString()) ? "" : " (" + p + ")"));
        }
        if (Files.isDirectory(p)) {
            throw invalid("executable is a directory: " + p);
        }
        if (!Files.isExecutable(p)) {
            throw invalid("executable is not executable (no execute permission): " + p);
        }
    }

    private static void positive(String what, Duration d) throws LaunchException {
        if (d.isNegative() || d.isZero()) {
            throw invalid(what + " must be positive: " + d);
        }
    }

    private static LaunchException invalid(String message) {
        // the user's words: the command line, the product's backend command or run's options are what they gave
        return new LaunchException("cannot start the backend: " + message, LaunchException.Reason.INVALID_SPEC);
    }
}
