package dev.portolan.platform.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Finds the external programs the platform layer runs (lsof, netstat, setsid, kill ...). */
@FunctionalInterface
public interface Tools {

    /** The executable {@code name} (on Windows also {@code name.exe}), or empty when it is not installed. */
    Optional<Path> find(String name);

    /**
     * The running system: the directories of {@code PATH}, then the OS's standard tool directories (a GUI-started
     * Eclipse on macOS has a short PATH without {@code /usr/sbin}, where lsof lives).
     */
    static Tools system() {
        boolean windows = dev.portolan.platform.OsFamily.current() == dev.portolan.platform.OsFamily.WINDOWS;
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(java.io.File.pathSeparator)));
        }
        if (windows) {
            String root = System.getenv().getOrDefault("SystemRoot", "C:\\Windows");
            dirs.add(root + "\\System32");
            dirs.add(root + "\\System32\\WindowsPowerShell\\v1.0");
        } else {
            dirs.addAll(List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin"));
        }
        return name -> {
            for (String dir : dirs) {
                if (dir.isEmpty()) {
                    continue;
                }
                for (String candidate : windows ? List.of(name + ".exe", name) : List.of(name)) {
                    try {
                        Path p = Path.of(dir, candidate);
                        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                            return Optional.of(p.toAbsolutePath());
                        }
                    } catch (java.nio.file.InvalidPathException e) {
                        // a PATH entry that is not a path: skip it
                    }
                }
            }
            return Optional.empty();
        };
    }
}
