package dev.portolan.core.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line a registering process files in its entry ({@code command}, docs/protocol.md): this process's
 * arguments exactly as executed ({@code /proc/self/cmdline}: argv[0] as typed, each argument whole even with blanks),
 * else what the JDK reports ({@link ProcessHandle.Info}: the executable's path, then the arguments), else empty. One
 * rule for every Java writer (a backend, the front end's feed).
 *
 * @since 0.1.11
 */
public final class ProcessCommandLine {

    private static final Path PROC_SELF_CMDLINE = Path.of("/proc/self/cmdline");

    private ProcessCommandLine() {
    }

    /** This process's command line, as the class says; never {@code null}, unmodifiable. */
    public static List<String> current() {
        try {
            List<String> args = split(Files.readAllBytes(PROC_SELF_CMDLINE));
            if (!args.isEmpty()) {
                return args;
            }
        } catch (IOException | RuntimeException notLinux) {
            // no /proc: the JDK's view below
        }
        ProcessHandle.Info info = ProcessHandle.current().info();
        return info.command().map(program -> {
            List<String> line = new ArrayList<>();
            line.add(program);
            info.arguments().ifPresent(args -> line.addAll(List.of(args)));
            return List.copyOf(line);
        }).orElse(List.of());
    }

    /** The NUL-terminated arguments of a {@code cmdline} file; a last one without its NUL is kept. */
    private static List<String> split(byte[] raw) {
        List<String> args = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= raw.length; i++) {
            if (i == raw.length ? i > start : raw[i] == 0) {
                args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return List.copyOf(args);
    }
}
